#pragma once
// Small ImageFolder trees for tests that run the real decoding and fitting path.

#include <QString>

namespace ood::test {

/// Two classes ("red", "blue") of `perClass` flat-coloured 32x32 PNGs under `root`, with
/// seeded colour noise so that the classes are easy to tell apart but not identical.
void writeColourFolder(const QString &root, int perClass, unsigned seed);

} // namespace ood::test
