#pragma once
// Reading IDX files (the MNIST / Fashion-MNIST container), plain or gzip-compressed. Used to build
// the bundled demo from Debian's dataset-fashion-mnist package.

#include <QString>

#include <ATen/core/Tensor.h>

namespace ood {

/// An unsigned-byte IDX array: images [N,rows,cols] or labels [N], as uint8. Throws ood::Error
/// naming the file for a missing file, a bad magic number, a non-uint8 type or a short file.
at::Tensor readIdxFile(const QString &path);

/// Fashion-MNIST's class names in label order, usable as folder names.
const QStringList &fashionMnistClassNames();

} // namespace ood
