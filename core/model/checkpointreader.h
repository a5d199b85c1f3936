#pragma once
// Reading the tensors of a PyTorch `torch.save` checkpoint (the zip format of PyTorch >= 1.6)
// without executing anything from it: the zip container is opened with LibTorch's
// PyTorchStreamReader and `data.pkl` is interpreted by a restricted unpickler of our own that
// knows how to rebuild tensors and nothing else. Classes named in the file (a whole pickled
// torchvision ResNet, its Conv2d and BatchNorm2d modules, ...) become inert records of their
// pickled state, which is how a whole model's parameters are found without its Python code.

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

/// Checks the zip structure LibTorch's archive reader insists on (entries in one folder, a
/// supported version record) before LibTorch opens the file: LibTorch 1.13 leaks memory when its
/// reader's constructor refuses a file. Throws ood::Error starting with `label` and the path.
void checkTorchZip(const std::string &path, const std::string &label);

/// checkTorchZip, then reads data.pkl completely with the restricted unpickler above (bounds
/// checked, executes nothing): LibTorch's own unpickler (used for profiles) trusts lengths and
/// indices from the file, and asserts on pickles it does not expect. Returns the string under
/// the key "format" when the pickle is a dict that has one, else "". Throws ood::Error starting
/// with `label`.
std::string checkTorchPickle(const std::string &path, const std::string &label);

} // namespace ood
