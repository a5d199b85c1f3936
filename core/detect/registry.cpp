#include "detect/registry.h"

#include "detect/detectors.h"
#include "base/error.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace ood {

const std::vector<DetectorInfo> &detectorRegistry()
{
    // NERO's table order first, then the rest.
    static const std::vector<DetectorInfo> registry = [] {
        std::vector<std::unique_ptr<Detector> (*)()> factories = {
            detectors::makeMsp,
            detectors::makeOdin,
            detectors::makeEnergy,
            detectors::makeEntropy,
            detectors::makeMaxLogit,
            detectors::makeMahalanobis,
            detectors::makeVim,
            detectors::makeNeco,
            detectors::makeReact,
            detectors::makeGradNorm,
            detectors::makeNero,
            // The order: OpenOOD baselines, GROOD, PRO, AbeT.
            detectors::makeKnn,
            detectors::makeGen,
            detectors::makeTempScaling,
            detectors::makeAshB,
            detectors::makeAshS,
            detectors::makeAshP,
            detectors::makeScale,
            detectors::makeDice,
            detectors::makeRmds,
            detectors::makeFdbd,
            detectors::makeGrood,
            detectors::makeProMsp,
            detectors::makeProEntropy,
            detectors::makeProMspTemperature,
            detectors::makeProGen,
            detectors::makeAbet,
        };
        std::vector<DetectorInfo> infos;
        for (auto factory : factories) {
            const auto sample = factory();
            infos.push_back({sample->id(), sample->displayName(), factory});
        }
        return infos;
    }();
    return registry;
}

std::vector<std::string> detectorIds()
{
    std::vector<std::string> ids;
    for (const auto &info : detectorRegistry())
        ids.push_back(info.id);
    return ids;
}

std::unique_ptr<Detector> createDetector(const std::string &id)
{
    for (const auto &info : detectorRegistry())
        if (info.id == id)
            return info.create();
    std::string known;
    for (const auto &info : detectorRegistry())
        known += (known.empty() ? "" : " ") + info.id;
    throw Error("unknown detector '" + id + "' (known: " + known + ")");
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
        createDetector(item); // throws with the list of known ids
        if (std::find(ids.begin(), ids.end(), item) == ids.end())
            ids.push_back(item);
    }
    if (ids.empty())
        throw Error("no detector selected");
    return ids;
}

} // namespace ood
