#pragma once
// Every detector by id. Adding a method means one file plus one line in registry.cpp.

#include "detect/detector.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ood {

struct DetectorInfo
{
    std::string id;
    std::string displayName;
    std::function<std::unique_ptr<Detector>()> create;
};

/// In the order tables list them.
const std::vector<DetectorInfo> &detectorRegistry();
std::vector<std::string> detectorIds();
/// Throws ood::Error listing the known ids when `id` is unknown.
std::unique_ptr<Detector> createDetector(const std::string &id);
/// Parses "msp,energy,nero" (or "all"); throws ood::Error naming an unknown id.
std::vector<std::string> parseDetectorList(const std::string &list);

} // namespace ood
