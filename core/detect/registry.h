#pragma once
// Every detector by id, described without constructing one. Adding a method means its file (class
// and descriptor) plus one line in registry.cpp (docs/architecture.md, "Adding a detector").

#include "detect/detector.h"

#include <memory>
#include <string>
#include <vector>

namespace ood {

/// The descriptors of every detector, in the order tables list them.
const std::vector<const DetectorDescriptor *> &detectorRegistry();
std::vector<std::string> detectorIds();
/// Throws ood::Error listing the known ids when `id` is unknown.
const DetectorDescriptor &detectorDescriptor(const std::string &id);
/// Null when `id` is unknown.
const DetectorDescriptor *findDetectorDescriptor(const std::string &id);
/// Throws ood::Error listing the known ids when `id` is unknown.
std::unique_ptr<Detector> createDetector(const std::string &id);
/// Parses "msp,energy,nero" (or "all"); throws ood::Error naming an unknown id.
std::vector<std::string> parseDetectorList(const std::string &list);

} // namespace ood
