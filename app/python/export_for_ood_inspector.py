#!/usr/bin/env python3
"""Prepare a PyTorch classifier for OOD Inspector (see docs/model-contract.md).

Two commands:

  torchscript   wrap a torchvision or timm classifier into the OOD Inspector contract
                (forward_ood, head_weight, head_bias, input attributes) and save TorchScript:

      export_for_ood_inspector.py torchscript --model timm:deit_small_patch16_224 \
          --num-classes 3 --weights deit_kvasir.pth --output deit_kvasir.ts

  state-dict    turn any checkpoint (a whole pickled model, a dict wrapping the weights under
                "state_dict"/"model"/..., DataParallel "module." keys, a TorchScript file) into a
                plain torchvision state_dict that OOD Inspector reads as resnet18/34/50:

      export_for_ood_inspector.py state-dict whole_model.pt --arch resnet18 --output resnet18.pt

Needs torch (and torchvision or timm for the models they provide). Runs on the CPU.
"""

import argparse
import collections
import copy
import sys
from typing import Dict, List

import torch
from torch import Tensor, nn

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
# Where common classifiers keep their final linear layer, tried in this order.
HEAD_PATHS = ["fc", "head.fc", "head", "heads.head", "classifier", "last_linear"]
# Keys under which training scripts commonly wrap the weights.
WRAPPER_KEYS = ["state_dict", "model_state_dict", "model", "net", "network", "module", "weights"]


# ----------------------------------------------------------------------------------------------
# The contract


class ResNetForOOD(nn.Module):
    """A torchvision-style ResNet (conv1, bn1, relu, maxpool, layer1..4, avgpool, fc) with every
    activation OOD Inspector can use: early (layer1), feature_maps (layer4), features, logits."""

    architecture: str
    input_size: List[int]
    input_mean: List[float]
    input_std: List[float]

    def __init__(self, model: nn.Module, architecture: str, input_size, mean, std):
        super().__init__()
        for name in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]:
            setattr(self, name, getattr(model, name))
        self.architecture = architecture
        self.input_size = list(input_size)
        self.input_mean = list(mean)
        self.input_std = list(std)

    def forward_ood(self, x: Tensor) -> Dict[str, Tensor]:
        early = self.layer1(self.maxpool(self.relu(self.bn1(self.conv1(x)))))
        maps = self.layer4(self.layer3(self.layer2(early)))
        features = torch.flatten(self.avgpool(maps), 1)
        return {"logits": self.fc(features), "features": features, "feature_maps": maps, "early": early}

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_ood(x)["logits"]

    @torch.jit.export
    def features_from_early(self, early: Tensor) -> Tensor:
        return torch.flatten(self.avgpool(self.layer4(self.layer3(self.layer2(early)))), 1)

    @torch.jit.export
    def head_weight(self) -> Tensor:
        return self.fc.weight

    @torch.jit.export
    def head_bias(self) -> Tensor:
        return self.fc.bias


class LinearHeadForOOD(nn.Module):
    """Any classifier that ends in one nn.Linear: `body` is the model with that layer replaced
    by nn.Identity, so body(x) is exactly the input of the head (the penultimate features)."""

    architecture: str
    input_size: List[int]
    input_mean: List[float]
    input_std: List[float]

    def __init__(self, body: nn.Module, head: nn.Linear, architecture: str, input_size, mean, std):
        super().__init__()
        self.body = body
        self.head = head
        self.architecture = architecture
        self.input_size = list(input_size)
        self.input_mean = list(mean)
        self.input_std = list(std)

    def forward_ood(self, x: Tensor) -> Dict[str, Tensor]:
        features = torch.flatten(self.body(x), 1)
        return {"logits": self.head(features), "features": features}

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_ood(x)["logits"]

    @torch.jit.export
    def head_weight(self) -> Tensor:
        return self.head.weight

    @torch.jit.export
    def head_bias(self) -> Tensor:
        return self.head.bias


def find_module(model: nn.Module, path: str):
    module = model
    for part in path.split("."):
        if isinstance(module, nn.Sequential) and part.lstrip("-").isdigit():
            module = module[int(part)]
        elif hasattr(module, part):
            module = getattr(module, part)
        else:
            return None
    return module


def set_module(model: nn.Module, path: str, value: nn.Module):
    parent_path, _, name = path.rpartition(".")
    parent = find_module(model, parent_path) if parent_path else model
    if isinstance(parent, nn.Sequential) and name.lstrip("-").isdigit():
        parent[int(name)] = value
    else:
        setattr(parent, name, value)


def find_head(model: nn.Module, requested: str):
    """The dotted path of the final nn.Linear; a Sequential (torchvision's classifier) is
    searched for its last Linear."""
    for path in [requested] if requested else HEAD_PATHS:
        module = find_module(model, path)
        if isinstance(module, nn.Linear):
            return path
        if isinstance(module, nn.Sequential):
            for index in reversed(range(len(module))):
                if isinstance(module[index], nn.Linear):
                    return "%s.%d" % (path, index)
    raise SystemExit(
        "cannot find the final nn.Linear (tried %s); name it with --head, e.g. --head classifier.3"
        % ", ".join(["--head " + requested] if requested else HEAD_PATHS))


def wrap(model: nn.Module, architecture: str, head_path: str, input_size, mean, std) -> nn.Module:
    model = copy.deepcopy(model).eval()
    is_resnet = all(hasattr(model, n) for n in ["conv1", "bn1", "maxpool", "layer1", "layer4", "avgpool", "fc"])
    if is_resnet and not head_path and isinstance(model.fc, nn.Linear):
        return ResNetForOOD(model, architecture, input_size, mean, std).eval()
    head_path = find_head(model, head_path)
    head = find_module(model, head_path)
    if head.bias is None:
        with_bias = nn.Linear(head.in_features, head.out_features)
        with torch.no_grad():
            with_bias.weight.copy_(head.weight)
            with_bias.bias.zero_()
        head = with_bias
    set_module(model, head_path, nn.Identity())
    return LinearHeadForOOD(model, head, architecture, input_size, mean, std).eval()


def to_torchscript(wrapper: nn.Module, input_size, trace: bool):
    """Scripts the wrapper; if its body does not script, traces the body at the declared input
    size and scripts the wrapper around the traced body."""
    if not trace:
        try:
            return torch.jit.script(wrapper)
        except Exception as error:  # noqa: BLE001 - any scripting failure falls back to tracing
            if not isinstance(wrapper, LinearHeadForOOD):
                raise
            print("scripting failed (%s); tracing the body instead" % str(error).splitlines()[0], file=sys.stderr)
    if not isinstance(wrapper, LinearHeadForOOD):
        wrapper = LinearHeadForOOD(nn.Sequential(*[getattr(wrapper, n) for n in
                                                   ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2",
                                                    "layer3", "layer4", "avgpool"]]),
                                   wrapper.fc, wrapper.architecture, wrapper.input_size, wrapper.input_mean,
                                   wrapper.input_std).eval()
    example = torch.zeros(2, 3, input_size[0], input_size[1])
    with torch.no_grad():
        wrapper.body = torch.jit.trace(wrapper.body, example)
    return torch.jit.script(wrapper)


# ----------------------------------------------------------------------------------------------
# Checkpoints


def flat_state_dict(obj, source: str, strip_prefixes: List[str]) -> "collections.OrderedDict[str, Tensor]":
    """The tensors of any checkpoint as one flat {name: tensor}."""
    if isinstance(obj, torch.jit.ScriptModule) or isinstance(obj, nn.Module):
        obj = obj.state_dict()
    if isinstance(obj, dict) and not any(isinstance(v, Tensor) for v in obj.values()):
        for key in WRAPPER_KEYS:
            if key in obj:
                return flat_state_dict(obj[key], source, strip_prefixes)
        raise SystemExit("%s: no tensors at the top level and none of the keys %s (found: %s)"
                         % (source, ", ".join(WRAPPER_KEYS), ", ".join(map(str, list(obj)[:10]))))
    if not isinstance(obj, dict):
        raise SystemExit("%s holds a %s, not a model or a state_dict" % (source, type(obj).__name__))
    state = collections.OrderedDict()
    for name, value in obj.items():
        if not isinstance(value, Tensor):
            continue
        for prefix in strip_prefixes:
            if name.startswith(prefix):
                name = name[len(prefix):]
        state[name] = value.detach().cpu()
    if not state:
        raise SystemExit("%s holds no tensors" % source)
    return state


def read_checkpoint(path: str, strip_prefixes: List[str]):
    import os

    if not os.path.isfile(path):
        raise SystemExit("%s does not exist or is not a file" % path)
    try:
        return flat_state_dict(torch.jit.load(path, map_location="cpu"), path, strip_prefixes)
    except (RuntimeError, ValueError):
        pass  # not TorchScript
    try:
        obj = torch.load(path, map_location="cpu")
    except ModuleNotFoundError as error:
        raise SystemExit("%s is a whole pickled model whose class lives in the module %r: run this script "
                         "where that module can be imported (add its folder to PYTHONPATH)" % (path, error.name))
    return flat_state_dict(obj, path, strip_prefixes)


def check_against_torchvision(state, arch: str, source: str):
    import torchvision

    if "fc.weight" not in state:
        raise SystemExit("%s: no fc.weight after conversion; keys start with: %s"
                         % (source, ", ".join(list(state)[:5])))
    model = getattr(torchvision.models, arch)(num_classes=state["fc.weight"].shape[0])
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise SystemExit("%s does not fit torchvision %s: missing %s, unexpected %s"
                         % (source, arch, missing[:5], result.unexpected_keys[:5]))


# ----------------------------------------------------------------------------------------------
# Commands


def build_model(spec: str, num_classes: int) -> nn.Module:
    library, _, name = spec.partition(":")
    if library == "torchvision":
        import torchvision

        if not hasattr(torchvision.models, name):
            raise SystemExit("torchvision has no model %r" % name)
        return getattr(torchvision.models, name)(num_classes=num_classes)
    if library == "timm":
        try:
            import timm
        except ImportError:
            raise SystemExit("timm is not installed for %s (pip install timm)" % sys.executable)

        return timm.create_model(name, pretrained=False, num_classes=num_classes)
    raise SystemExit("--model must be torchvision:<name> or timm:<name>, got %r" % spec)


def command_torchscript(args):
    if args.model_file:
        model = torch.load(args.model_file, map_location="cpu")
        if not isinstance(model, nn.Module):
            raise SystemExit("%s is not a whole pickled model; use --model with --weights" % args.model_file)
        architecture = args.architecture or type(model).__name__.lower()
    else:
        if not args.model or args.num_classes is None:
            raise SystemExit("give --model-file, or --model and --num-classes")
        model = build_model(args.model, args.num_classes)
        if args.weights:
            model.load_state_dict(read_checkpoint(args.weights, args.strip_prefix), strict=True)
        architecture = args.architecture or args.model.partition(":")[2]
    size = args.input_size * 2 if len(args.input_size) == 1 else args.input_size
    wrapper = wrap(model, architecture, args.head, size, args.mean, args.std)
    scripted = to_torchscript(wrapper, size, args.trace)

    # The scripted module must reproduce the eager model before it is saved.
    x = torch.randn(2, 3, size[0], size[1], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = model.eval()(x)
        out = scripted.forward_ood(x)
        head = out["features"] @ scripted.head_weight().t() + scripted.head_bias()
    error = max((out["logits"] - expected).abs().max().item(), (head - out["logits"]).abs().max().item())
    if error > 1e-3 * (1 + expected.abs().max().item()):
        raise SystemExit("the wrapped model disagrees with the original by %g; check --head" % error)
    scripted.save(args.output)
    print("%s: %s, %d classes, %d features, outputs %s, input %dx%d"
          % (args.output, architecture, out["logits"].shape[1], out["features"].shape[1],
             ", ".join(sorted(out)), size[0], size[1]))


def command_state_dict(args):
    state = read_checkpoint(args.checkpoint, args.strip_prefix)
    if args.arch:
        check_against_torchvision(state, args.arch, args.checkpoint)
    torch.save(state, args.output)
    classes = state["fc.weight"].shape[0] if "fc.weight" in state else None
    print("%s: %d tensors%s" % (args.output, len(state), ", %d classes" % classes if classes else ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    script = commands.add_parser("torchscript", help="wrap a classifier into the contract and save TorchScript")
    script.add_argument("--model", help="torchvision:<name> or timm:<name>, e.g. timm:deit_small_patch16_224")
    script.add_argument("--num-classes", type=int, help="classes of the trained head")
    script.add_argument("--weights", help="checkpoint with the trained weights (any layout)")
    script.add_argument("--model-file", help="a whole pickled model (torch.save(model)) instead of --model")
    script.add_argument("--head", default="", help="dotted path of the final nn.Linear if not found automatically")
    script.add_argument("--architecture", help="name recorded in the file (default: the model name)")
    script.add_argument("--input-size", type=int, nargs="+", default=[224], metavar="N",
                        help="input height and width (one number for a square), default 224")
    script.add_argument("--mean", type=float, nargs=3, default=IMAGENET_MEAN, help="per-channel mean (RGB)")
    script.add_argument("--std", type=float, nargs=3, default=IMAGENET_STD, help="per-channel std (RGB)")
    script.add_argument("--trace", action="store_true", help="trace the body instead of scripting it")
    script.add_argument("--strip-prefix", action="append", default=["module."], help="key prefix to remove")
    script.add_argument("--output", "-o", required=True)
    script.set_defaults(run=command_torchscript)

    flat = commands.add_parser("state-dict", help="turn any checkpoint into a plain state_dict")
    flat.add_argument("checkpoint")
    flat.add_argument("--arch", choices=["resnet18", "resnet34", "resnet50"],
                      help="check the result against this torchvision architecture")
    flat.add_argument("--strip-prefix", action="append", default=["module."], help="key prefix to remove")
    flat.add_argument("--output", "-o", required=True)
    flat.set_defaults(run=command_state_dict)

    args = parser.parse_args(argv)
    if args.command == "torchscript" and len(args.input_size) not in (1, 2):
        parser.error("--input-size takes one or two numbers")
    args.run(args)


if __name__ == "__main__":
    main()
