"""Training ALIGNN on whole spectra: deterministic on CPU, the same code on CUDA."""

from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm import tqdm

from specgroups.errors import InputError
from specgroups.model.graphs import GraphSet

OPTIMIZERS = ("adamw", "adam", "sgd")
SCHEDULERS = ("constant", "onecycle")
LOSSES = ("l1", "mse")


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that decides the trained weights.

    The study's runs: L1 loss, AdamW (lr 1e-3, weight decay 1e-5), a constant
    learning rate (alignn 2024's one-cycle scheduler was attached to an
    optimizer that was then replaced), batch 4, 500 epochs, seed 123.

    ``compile``: train through ``torch.compile(dynamic=True)`` (the same function, its kernels fused) with the fused
    optimizer step; inference, validation and feature extraction stay eager. It pays off only over many epochs:
    the first compiled epoch costs over a minute (benchmarks/training.json).
    """

    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    optimizer: str
    scheduler: str
    loss: str
    seed: int
    threads: int
    device: str
    compile: bool

    @classmethod
    def from_params(cls, params: dict, source: str = "params") -> "TrainingSettings":
        """From a ``train`` params section (other keys in it are ignored); InputError names missing keys and a
        ``mode`` other than retrain or published."""
        missing = [key for key in cls.__dataclass_fields__ if key not in params]
        if missing:
            raise InputError(f"{source}: train lacks {missing}")
        if params.get("mode", "retrain") not in ("retrain", "published"):
            raise InputError(f"{source}: train.mode must be 'retrain' or 'published', got {params['mode']!r}")
        return cls(**{key: params[key] for key in cls.__dataclass_fields__})

    def __post_init__(self) -> None:
        for name, allowed in (("optimizer", OPTIMIZERS), ("scheduler", SCHEDULERS), ("loss", LOSSES)):
            if getattr(self, name) not in allowed:
                raise InputError(f"params: train.{name} must be one of {allowed}, got {getattr(self, name)!r}")
        for name in ("epochs", "batch_size", "threads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"params: train.{name} must be a positive integer, got {value!r}")
        if not isinstance(self.compile, bool):
            raise InputError(f"params: train.compile must be true or false, got {self.compile!r}")
        if self.device not in ("cpu", "cuda", "auto"):
            raise InputError(f"params: train.device must be cpu, cuda or auto, got {self.device!r}")


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("params: device 'cuda' was asked for but no CUDA device is available")
    return torch.device(name)


@dataclass(frozen=True)
class Distributed:
    """This process's place in a torchrun job (rank 0 of 1 without torchrun)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def start_distributed(device_name: str) -> Distributed:
    """Join the process group torchrun describes (NCCL on GPUs, Gloo on CPUs); a no-op without torchrun."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return Distributed()
    import torch.distributed as dist

    local_rank = int(os.environ["LOCAL_RANK"])
    uses_cuda = resolve_device(device_name).type == "cuda"
    if uses_cuda:
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if uses_cuda else "gloo")
    return Distributed(rank=dist.get_rank(), world_size=world_size, local_rank=local_rank)


def make_deterministic(seed: int, threads: int) -> None:
    """Same seed and thread count -> bit-identical weights on the same machine.

    With 2 threads results differ from 1 thread even with deterministic
    algorithms, so the thread count is a parameter, not left to torch.
    """
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


def batches(data: GraphSet, order: list[int], batch_size: int, device: torch.device):
    """(graph, line graph, None) input tuples for the pure model, with their targets."""
    from alignn.torch_graph_builder import batch_torch_graph_pairs

    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        graph, line_graph = batch_torch_graph_pairs([data.pairs[i] for i in chosen])
        yield (graph.to(device), line_graph.to(device), None), data.targets[chosen].to(device)


def predict(model, data: GraphSet, batch_size: int, device: torch.device) -> np.ndarray:
    model.eval()
    outputs = []
    with torch.no_grad():
        for inputs, _ in batches(data, list(range(len(data))), batch_size, device):
            outputs.append(model(inputs)["out"].reshape(len(inputs[0].batch_num_nodes), -1).cpu())
    return torch.cat(outputs).numpy()


@dataclass
class TrainingResult:
    best_state: dict
    best_epoch: int
    history: list[dict] = field(default_factory=list)


def _optimizer(model, settings: TrainingSettings):
    """The compiled trainer takes torch's fused optimizer step (one kernel for all 192 tensors: 1.4 ms a step against
    7.1 for the per-parameter loop on the default model; the same update up to float rounding, deterministic); the
    eager trainer keeps the per-parameter loop, so that its weights stay what they were."""
    kind = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}[settings.optimizer]
    extra = {"momentum": 0.9} if settings.optimizer == "sgd" else {}
    return kind(
        model.parameters(),
        lr=settings.learning_rate,
        weight_decay=settings.weight_decay,
        fused=settings.compile or None,
        **extra,
    )


def _shard(order: list[int], distributed: Distributed) -> list[int]:
    """This rank's share of an epoch's order; every rank gets as many crystals, so all take the same number of steps
    (DDP hangs otherwise): up to world_size - 1 crystals of the shuffled order sit out each epoch."""
    usable = len(order) - len(order) % distributed.world_size
    return order[distributed.rank : usable : distributed.world_size]


def train(
    model, train_set: GraphSet, val_set: GraphSet, settings: TrainingSettings, distributed: Distributed = Distributed()
) -> TrainingResult:
    """Train with mini-batches in a seeded order; keep the weights of the best validation MAE.

    Under torchrun the model is wrapped in DistributedDataParallel and each rank
    trains on its shard of the same seeded order (``batch_size`` per rank);
    every rank validates on the whole validation set, so all agree on the best epoch.
    """
    device = resolve_device(settings.device)
    if device.type == "cuda" and distributed.world_size > 1:
        device = torch.device("cuda", distributed.local_rank)
    model = model.to(device)
    network = model
    if distributed.world_size > 1:
        from torch.nn.parallel import DistributedDataParallel

        # The last ALIGNN layer's line-graph update feeds nothing downstream, so some weights get no gradient.
        network = DistributedDataParallel(
            model, device_ids=[distributed.local_rank] if device.type == "cuda" else None, find_unused_parameters=True
        )
    if settings.compile:
        network = torch.compile(network, dynamic=True)
    optimizer = _optimizer(model, settings)
    steps_per_epoch = -(-(len(train_set) // distributed.world_size) // settings.batch_size)
    scheduler = (
        torch.optim.lr_scheduler.OneCycleLR(
            optimizer, settings.learning_rate, total_steps=settings.epochs * steps_per_epoch
        )
        if settings.scheduler == "onecycle"
        else None
    )
    criterion = torch.nn.L1Loss() if settings.loss == "l1" else torch.nn.MSELoss()
    generator = torch.Generator().manual_seed(settings.seed)
    result = TrainingResult(best_state={}, best_epoch=-1)
    best = float("inf")
    for epoch in tqdm(range(1, settings.epochs + 1), desc="train", unit="epoch", disable=not distributed.is_main):
        start = time.perf_counter()
        network.train()
        order = _shard(torch.randperm(len(train_set), generator=generator).tolist(), distributed)
        total, count = 0.0, 0
        for inputs, targets in batches(train_set, order, settings.batch_size, device):
            optimizer.zero_grad()
            predictions = network(inputs)["out"].reshape(targets.shape)
            loss = criterion(predictions, targets)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += float(loss.detach()) * len(targets)
            count += len(targets)
        if distributed.world_size > 1:
            import torch.distributed as dist

            summed = torch.tensor([total, count], dtype=torch.float64, device=device)
            dist.all_reduce(summed)
            total, count = summed.tolist()
        train_seconds = time.perf_counter() - start
        val_mae = float(np.mean(np.abs(predict(model, val_set, settings.batch_size, device) - val_set.targets.numpy())))
        result.history.append(
            {
                "epoch": epoch,
                "train_loss": total / count,
                "val_mae": val_mae,
                "train_seconds": train_seconds,
                "seconds": time.perf_counter() - start,
            }
        )
        if val_mae < best:
            best, result.best_epoch = val_mae, epoch
            result.best_state = copy.deepcopy({key: value.cpu() for key, value in model.state_dict().items()})
    return result
