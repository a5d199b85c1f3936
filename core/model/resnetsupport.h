#pragma once
// Shared by the ResNet's state_dict code and its Backbone adapter (resnetstatedict.cpp,
// resnetbackbone.cpp), whose error messages show shapes the same way. Internal to core/model.

#include <ATen/core/Tensor.h>

#include <sstream>
#include <string>

namespace ood::resnetsupport {

/// "[64,3,7,7]"
inline std::string shapeString(at::IntArrayRef sizes)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < sizes.size(); ++i)
        out << (i ? "," : "") << sizes[i];
    out << ']';
    return out.str();
}

} // namespace ood::resnetsupport
