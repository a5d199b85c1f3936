#include "detect/detector.h"

#include "base/error.h"

#include <torch/torch.h>

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

namespace {
const std::string kSettingPrefix = "setting.";
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
    return result;
}

void Detector::setState(const DetectorState &state)
{
    for (auto &[name, value] : m_settings) {
        const auto it = state.find(kSettingPrefix + name);
        if (it == state.end())
            continue; // settings added after the profile was written keep their defaults
        if (!it->second.defined() || it->second.numel() != 1)
            throw Error("detector '" + id() + "': setting '" + name + "' in the profile is malformed");
        value = it->second.to(torch::kFloat64).item<double>();
    }
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
