#!/usr/bin/env bash
# Multi-node full fine-tuning with accelerate + DeepSpeed ZeRO-3 (or FSDP2) under Slurm.
#
#   sbatch --nodes=2 recipes/slurm/sft_multinode.sh \
#       recipes/mixtral-8x7b/lima-x/ENDEFRITES.yaml [recipes/accelerate/deepspeed_zero3.yaml] [overrides...]
#
# Slurm opens the --output file before the script runs, so it is written to the submit folder.
# One task per node; accelerate starts GPUS_PER_NODE processes on each. The recipe's
# effective_batch_size (64) is kept whatever the node count: sft.py recomputes the gradient
# accumulation for per-device batch x processes.
#SBATCH --job-name=sft-multinode
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=8
#SBATCH --cpus-per-task=64
#SBATCH --exclusive
#SBATCH --output=%x-%j.out
set -euo pipefail

RECIPE="${1:?usage: sbatch recipes/slurm/sft_multinode.sh RECIPE.yaml [ACCELERATE.yaml] [overrides...]}"
shift
# The accelerate config is optional: a second argument that is not a .yaml file is an override.
ACCELERATE_CONFIG=recipes/accelerate/deepspeed_zero3.yaml
if [[ $# -gt 0 && "$1" == *.yaml ]]; then
    ACCELERATE_CONFIG="$1"
    shift
fi
GPUS_PER_NODE="${GPUS_PER_NODE:-8}"

NUM_MACHINES="$SLURM_NNODES"
NUM_PROCESSES=$(( NUM_MACHINES * GPUS_PER_NODE ))
# The first node's name (no `| head -n 1`: with pipefail, scontrol's SIGPIPE would end the job).
HOSTS="$(scontrol show hostnames "$SLURM_JOB_NODELIST")"
MAIN_PROCESS_IP="${HOSTS%%$'\n'*}"
MAIN_PROCESS_PORT="${MAIN_PROCESS_PORT:-29500}"
export HF_HUB_ENABLE_HF_TRANSFER="${HF_HUB_ENABLE_HF_TRANSFER:-0}"

# The single quotes keep $SLURM_PROCID unexpanded until srun runs the command on each node.
srun --kill-on-bad-exit=1 bash -c 'accelerate launch \
    --config_file "$0" \
    --num_machines "$1" \
    --num_processes "$2" \
    --machine_rank "$SLURM_PROCID" \
    --main_process_ip "$3" \
    --main_process_port "$4" \
    --rdzv_backend c10d \
    recipes/sft.py --config "$5" "${@:6}"' \
    "$ACCELERATE_CONFIG" "$NUM_MACHINES" "$NUM_PROCESSES" "$MAIN_PROCESS_IP" "$MAIN_PROCESS_PORT" \
    "$RECIPE" "$@"
