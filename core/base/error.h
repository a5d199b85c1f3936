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

/// The model a profile names is not where the profile says (moved, or the profile came from a
/// colleague without it). The window then offers "Locate Model…".
class ModelNotFound : public Error
{
  public:
    ModelNotFound(const std::string &message, std::string missingPath)
        : Error(message), m_missingPath(std::move(missingPath))
    {
    }
    const std::string &missingPath() const { return m_missingPath; }

  private:
    std::string m_missingPath;
};

} // namespace ood
