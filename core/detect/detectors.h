#pragma once
// The descriptors of the built-in detectors, each defined next to its class in its own file under
// core/detect/. Internal: use the registry (registry.h) to list detectors and create them by id.

#include "detect/detector.h"

namespace ood::detectors {

const DetectorDescriptor &mspDescriptor();
const DetectorDescriptor &maxLogitDescriptor();
const DetectorDescriptor &energyDescriptor();
const DetectorDescriptor &entropyDescriptor();
const DetectorDescriptor &odinDescriptor();
const DetectorDescriptor &mahalanobisDescriptor();
const DetectorDescriptor &vimDescriptor();
const DetectorDescriptor &necoDescriptor();
const DetectorDescriptor &reactDescriptor();
const DetectorDescriptor &gradNormDescriptor();
const DetectorDescriptor &neroDescriptor();
const DetectorDescriptor &genDescriptor();
const DetectorDescriptor &tempScalingDescriptor();
const DetectorDescriptor &rmdsDescriptor();
const DetectorDescriptor &fdbdDescriptor();
const DetectorDescriptor &knnDescriptor();
const DetectorDescriptor &proMspDescriptor();
const DetectorDescriptor &proEntropyDescriptor();
const DetectorDescriptor &proMspTemperatureDescriptor();
const DetectorDescriptor &proGenDescriptor();
const DetectorDescriptor &groodDescriptor();
const DetectorDescriptor &abetDescriptor();
const DetectorDescriptor &ashBDescriptor();
const DetectorDescriptor &ashSDescriptor();
const DetectorDescriptor &ashPDescriptor();
const DetectorDescriptor &scaleDescriptor();
const DetectorDescriptor &diceDescriptor();
const DetectorDescriptor &mcmDescriptor();
const DetectorDescriptor &negLabelDescriptor();
const DetectorDescriptor &negRefineDescriptor();

} // namespace ood::detectors
