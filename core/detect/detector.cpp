#include "detect/detector.h"

#include "base/error.h"

#include <torch/torch.h>

#include <cmath>

namespace ood {

std::vector<int64_t> evenlySpacedPositions(int64_t listSize, int64_t count)
{
    std::vector<int64_t> positions;
    if (listSize <= 0 || count <= 0)
        return positions;
    if (listSize <= count) {
        for (int64_t i = 0; i < listSize; ++i)
            positions.push_back(i);
        return positions;
    }
    // listSize > count: the positions are strictly increasing, hence distinct.
    for (int64_t k = 0; k < count; ++k)
        positions.push_back(k * listSize / count);
    return positions;
}

PassCost combinedPassCost(const std::vector<const Detector *> &detectors)
{
    PassCost total;
    for (const Detector *detector : detectors) {
        const PassCost cost = detector->needs().score.cost;
        total.sharedGraphForward = total.sharedGraphForward || cost.sharedGraphForward;
        total.graphForwards += cost.graphForwards;
        total.backwardPasses += cost.backwardPasses;
        total.inferenceForwards += cost.inferenceForwards;
    }
    return total;
}

int64_t extraPassesPerImage(const std::vector<const Detector *> &detectors)
{
    return combinedPassCost(detectors).passes();
}

namespace {
const std::string kSettingPrefix = "setting.";
}

DetectorNeeds Detector::needs() const
{
    DetectorNeeds result = m_descriptor.needs;
    addSettingNeeds(result);
    return result;
}

void Detector::declareSetting(const std::string &name, double defaultValue)
{
    m_settings[name] = defaultValue;
}

double Detector::setting(const std::string &name) const
{
    const auto it = m_settings.find(name);
    if (it == m_settings.end())
        throw Error("detector '" + id() + "' has no setting '" + name + "'");
    return it->second;
}

void Detector::setSetting(const std::string &name, double value)
{
    auto it = m_settings.find(name);
    if (it == m_settings.end()) {
        std::string known;
        for (const auto &[key, unused] : m_settings)
            known += (known.empty() ? "" : ", ") + key;
        throw Error("detector '" + id() + "' has no setting '" + name + "'" +
                    (known.empty() ? std::string(" (it has none)") : " (known: " + known + ")"));
    }
    if (!std::isfinite(value))
        throw Error("detector '" + id() + "': setting '" + name + "' must be a finite number");
    it->second = value;
}

DetectorState Detector::state() const
{
    DetectorState result = fittedState();
    for (const auto &[name, value] : m_settings)
        result[kSettingPrefix + name] = torch::tensor(value, torch::kFloat64);
    result[kStateVersionKey] = torch::tensor(m_descriptor.stateVersion, torch::kInt64);
    return result;
}

void Detector::setState(const DetectorState &state)
{
    // Profiles written before states carried a version (release 0.1.0) hold version 1.
    int64_t version = 1;
    if (const auto it = state.find(kStateVersionKey); it != state.end()) {
        const at::Tensor &v = it->second;
        const bool wellFormed = v.defined() && v.numel() == 1 && !v.is_complex() && v.dim() <= 1;
        const double value = wellFormed ? v.to(torch::kFloat64).item<double>() : 0.0;
        if (!wellFormed || !(value >= 1) || value != std::floor(value) || value > 1e15)
            throw Error("detector '" + id() +
                        "': the profile's state_version is malformed (expected a whole number >= 1)");
        version = static_cast<int64_t>(value);
    }
    if (version > m_descriptor.stateVersion)
        throw Error("detector '" + id() + "' (" + displayName() + "): the profile holds its state version " +
                    std::to_string(version) +
                    ", written by a newer OOD Inspector; this version reads up to state version " +
                    std::to_string(m_descriptor.stateVersion) +
                    ": update OOD Inspector or fit the profile again");
    for (auto &[name, value] : m_settings) {
        const auto it = state.find(kSettingPrefix + name);
        if (it == state.end())
            continue; // settings added after the profile was written keep their defaults
        if (!it->second.defined() || it->second.numel() != 1)
            throw Error("detector '" + id() + "': setting '" + name + "' in the profile is malformed");
        value = it->second.to(torch::kFloat64).item<double>();
    }
    m_restoredStateVersion = version;
    restoreFittedState(state);
}

at::Tensor Detector::require(const DetectorState &state, const std::string &name,
                             const std::string &detectorId)
{
    const auto it = state.find(name);
    if (it == state.end() || !it->second.defined())
        throw Error("detector '" + detectorId + "': the profile lacks its fitted '" + name +
                    "' (was it fitted with this detector enabled?)");
    return it->second;
}

} // namespace ood
