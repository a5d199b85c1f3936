#pragma once
// Reading the tensors of a PyTorch `torch.save` checkpoint (the zip format of PyTorch >= 1.6)
// without executing anything from it: the zip container is checked and opened by io/torchzip.h
// and `data.pkl` is interpreted by the restricted unpickler of io/restrictedunpickler.h, which
// knows how to rebuild tensors and nothing else. What is checkpoint-specific is here: finding a
// state_dict in the values, which is how a whole pickled model's parameters are found without its
// Python code.

#include "io/torchzip.h" // checkTorchZip, for the model loader
#include "model/modelloader.h"

#include <string>

namespace ood {

/// Every tensor of a checkpoint as a flat state_dict, in state_dict order. Understands a plain
/// dict / OrderedDict of tensors, one wrapped under "state_dict", "model", "model_state_dict" or
/// "net", and a whole pickled nn.Module (walks _parameters, _buffers and _modules); a leading
/// "module." (DataParallel) is stripped from every key. Non-tensor entries are ignored.
/// Throws ood::Error naming the file: not a zip checkpoint, the legacy pre-1.6 format, a
/// TorchScript archive, truncated or corrupt data, an unsupported pickle construct.
NamedTensors readCheckpointTensors(const std::string &path);

} // namespace ood
