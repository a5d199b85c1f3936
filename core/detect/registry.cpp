#include "detect/registry.h"

#include "detect/detectors.h"
#include "base/error.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace ood {

const std::vector<const DetectorDescriptor *> &detectorRegistry()
{
    // One line per detector. NERO's table order first, then the rest.
    static const std::vector<const DetectorDescriptor *> registry = {
        &detectors::mspDescriptor(),
        &detectors::odinDescriptor(),
        &detectors::energyDescriptor(),
        &detectors::entropyDescriptor(),
        &detectors::maxLogitDescriptor(),
        &detectors::mahalanobisDescriptor(),
        &detectors::vimDescriptor(),
        &detectors::necoDescriptor(),
        &detectors::reactDescriptor(),
        &detectors::gradNormDescriptor(),
        &detectors::neroDescriptor(),
        // The order: OpenOOD baselines, GROOD, PRO, AbeT.
        &detectors::knnDescriptor(),
        &detectors::genDescriptor(),
        &detectors::tempScalingDescriptor(),
        &detectors::ashBDescriptor(),
        &detectors::ashSDescriptor(),
        &detectors::ashPDescriptor(),
        &detectors::scaleDescriptor(),
        &detectors::diceDescriptor(),
        &detectors::rmdsDescriptor(),
        &detectors::fdbdDescriptor(),
        &detectors::groodDescriptor(),
        &detectors::proMspDescriptor(),
        &detectors::proEntropyDescriptor(),
        &detectors::proMspTemperatureDescriptor(),
        &detectors::proGenDescriptor(),
        &detectors::abetDescriptor(),
        // Zero-shot, on a vision-language model only (docs/zero-shot.md).
        &detectors::mcmDescriptor(),
        &detectors::negLabelDescriptor(),
        &detectors::negRefineDescriptor(),
    };
    return registry;
}

std::vector<std::string> detectorIds()
{
    std::vector<std::string> ids;
    for (const DetectorDescriptor *descriptor : detectorRegistry())
        ids.push_back(descriptor->id);
    return ids;
}

const DetectorDescriptor *findDetectorDescriptor(const std::string &id)
{
    for (const DetectorDescriptor *descriptor : detectorRegistry())
        if (descriptor->id == id)
            return descriptor;
    return nullptr;
}

const DetectorDescriptor &detectorDescriptor(const std::string &id)
{
    if (const DetectorDescriptor *descriptor = findDetectorDescriptor(id))
        return *descriptor;
    std::string known;
    for (const DetectorDescriptor *descriptor : detectorRegistry())
        known += (known.empty() ? "" : " ") + descriptor->id;
    throw Error("unknown detector '" + id + "' (known: " + known + ")");
}

std::unique_ptr<Detector> createDetector(const std::string &id)
{
    return detectorDescriptor(id).create();
}

std::vector<std::string> parseDetectorList(const std::string &list)
{
    std::vector<std::string> ids;
    std::stringstream stream(list);
    std::string item;
    while (std::getline(stream, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(), [](unsigned char c) { return std::isspace(c); }),
                   item.end());
        std::transform(item.begin(), item.end(), item.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (item.empty())
            continue;
        if (item == "all") {
            for (const auto &id : detectorIds())
                if (std::find(ids.begin(), ids.end(), id) == ids.end())
                    ids.push_back(id);
            continue;
        }
        detectorDescriptor(item); // throws with the list of known ids
        if (std::find(ids.begin(), ids.end(), item) == ids.end())
            ids.push_back(item);
    }
    if (ids.empty())
        throw Error("no detector selected");
    return ids;
}

} // namespace ood
