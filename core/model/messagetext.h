#pragma once
// Pieces of the model loaders' error messages, shared by the ResNet, TorchScript and CLIP readers.

#include <c10/util/ArrayRef.h>

#include <sstream>
#include <string>

namespace ood {

/// "[64,3,7,7]"
inline std::string shapeString(c10::IntArrayRef sizes)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < sizes.size(); ++i)
        out << (i ? "," : "") << sizes[i];
    out << ']';
    return out.str();
}

/// The first line of a LibTorch message: the rest is its C++ backtrace.
inline std::string firstLine(const std::string &text)
{
    return text.substr(0, text.find('\n'));
}

} // namespace ood
