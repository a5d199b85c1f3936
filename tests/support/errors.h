#pragma once
// Catching the library's errors in a test, to check what they say.

#include "base/error.h"

#include <QString>

#include <functional>

namespace ood::test {

/// The message of the ood::Error that `action` throws, or an empty string when it throws none.
inline QString errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace ood::test
