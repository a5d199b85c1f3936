#pragma once
// One exception type for every user-facing failure of the core: bad files, bad models, bad
// profiles. The message is meant to be shown to the user as is, so it names the file and what
// is wrong with it.

#include <stdexcept>
#include <string>

namespace ood {

class Error : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

} // namespace ood
