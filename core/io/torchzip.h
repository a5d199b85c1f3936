#pragma once
// Opening the zip container of PyTorch files (torch.save checkpoints, profiles written with
// torch::pickle_save, TorchScript archives) without letting LibTorch see a broken one: LibTorch
// 1.13 leaks memory when its archive reader's constructor refuses a file, and lets its own
// exception types out. Shared by the checkpoint reader and the profile reader.

#include <functional>
#include <string>

namespace caffe2::serialize {
class PyTorchStreamReader;
} // namespace caffe2::serialize

namespace ood {

/// Checks the zip structure LibTorch's archive reader insists on (entries in one folder, a
/// supported version record) before LibTorch opens the file. Throws ood::Error starting with
/// `label` and the path.
void checkTorchZip(const std::string &path, const std::string &label);

/// checkTorchZip, then runs `body` on the opened archive. LibTorch's own exceptions become
/// ood::Error "<label> <path> is damaged or not a PyTorch file: ..."; an ood::Error from `body`
/// passes unchanged.
void withTorchArchive(const std::string &path, const std::string &label,
                      const std::function<void(caffe2::serialize::PyTorchStreamReader &)> &body);

} // namespace ood
