#pragma once
// Factories of the built-in detectors, one per file under core/detect/. Internal: use the
// registry (registry.h) to create detectors by id.

#include "detect/detector.h"

#include <memory>

namespace ood::detectors {

std::unique_ptr<Detector> makeMsp();
std::unique_ptr<Detector> makeMaxLogit();
std::unique_ptr<Detector> makeEnergy();
std::unique_ptr<Detector> makeEntropy();
std::unique_ptr<Detector> makeOdin();
std::unique_ptr<Detector> makeMahalanobis();
std::unique_ptr<Detector> makeVim();
std::unique_ptr<Detector> makeNeco();
std::unique_ptr<Detector> makeReact();
std::unique_ptr<Detector> makeGradNorm();
std::unique_ptr<Detector> makeNero();
std::unique_ptr<Detector> makeGen();
std::unique_ptr<Detector> makeTempScaling();
std::unique_ptr<Detector> makeRmds();
std::unique_ptr<Detector> makeFdbd();
std::unique_ptr<Detector> makeKnn();
std::unique_ptr<Detector> makeProMsp();
std::unique_ptr<Detector> makeProEntropy();
std::unique_ptr<Detector> makeProMspTemperature();
std::unique_ptr<Detector> makeProGen();
std::unique_ptr<Detector> makeGrood();
std::unique_ptr<Detector> makeAbet();
std::unique_ptr<Detector> makeAshB();
std::unique_ptr<Detector> makeAshS();
std::unique_ptr<Detector> makeAshP();
std::unique_ptr<Detector> makeScale();
std::unique_ptr<Detector> makeDice();

} // namespace ood::detectors
