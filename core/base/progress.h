#pragma once
// Progress of a long job (fitting, scoring, training) and how it is cancelled: the job calls the
// callback between units of work, and stops with ood::Cancelled when it returns false.

#include "base/error.h"

#include <functional>
#include <string>

namespace ood {

struct Progress
{
    std::string stage; ///< e.g. "train", "validation", "scoring"
    size_t done = 0;   ///< images handled so far (decoded or failed)
    size_t total = 0;
};
/// Return false to cancel; the run then throws ood::Cancelled.
using ProgressCallback = std::function<bool(const Progress &)>;

class Cancelled : public Error
{
  public:
    Cancelled() : Error("cancelled") {}
};

} // namespace ood
