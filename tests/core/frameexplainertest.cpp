// The whole explanation of a frame on the committed demo model and profile: every part is made,
// the parts agree with the detectors and with each other, and the heatmaps are faithful: removing
// the pixels the best heatmap ranks first lowers the predicted class's probability faster than
// removing them in a random order. The parts are handed over as they are made, cheap ones first,
// and each stage counts the images it sends through the model.

#include "calib/profile.h"
#include "base/error.h"
#include "explain/frameexplainer.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"
#include "model/modelloader.h"
#include "pipeline/scorer.h"
#include "support/errors.h"

#include <QtTest>

#include <torch/torch.h>

using namespace ood;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";

QStringList framesOf(const QString &group)
{
    QDirIterator it(kAssets + "/frames/" + group, {"*.png"}, QDir::Files, QDirIterator::Subdirectories);
    QStringList frames;
    while (it.hasNext())
        frames << it.next();
    frames.sort();
    return frames;
}

} // namespace

class FrameExplainerTest : public QObject
{
    Q_OBJECT

  private:
    Profile m_profile;
    LoadedModel m_model;

    at::Tensor inputOf(const QString &path) const
    {
        return preprocessImage(decodeImageFile(path), m_profile.model.input);
    }

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kAssets + "/demo.oodprofile"))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        at::set_num_threads(2);
        m_profile = loadProfile(kAssets + "/demo.oodprofile");
        m_model = loadModel((kAssets + "/model.pt").toStdString(), m_profile.model.architecture);
    }

    void everyPartIsMadeAndAgrees()
    {
        const QString frame = framesOf("far-ood").value(0);
        const at::Tensor input = inputOf(frame);
        ExplainOptions options;
        options.parts = explainPartsFor(*m_model.backbone);
        options.landscape.gridSize = 5;
        const FrameExplanation e = explainFrame(*m_model.backbone, m_profile, input, options);
        QVERIFY2(e.unavailable.empty(), e.unavailable.empty() ? "" : e.unavailable.front().second.c_str());
        QCOMPARE(e.verdicts.size(), m_profile.detectors.size());
        for (const char *method : {"relevance-cam", "deviation-cam", "grad-cam", "lrp"}) {
            const Heatmap *map = e.heatmap(method);
            QVERIFY2(map, method);
            QCOMPARE(map->values.size(0), int64_t(m_profile.model.input.height));
            QCOMPARE(map->values.size(1), int64_t(m_profile.model.input.width));
            // Not blank, unless the last feature maps are a single cell (the demo model sees 32x32
            // frames, so layer4 is 1x1 and a CAM can only be constant).
            if (!map->lowResolution.defined() || map->lowResolution.numel() > 1)
                QVERIFY2(map->maximum > map->minimum, method);
            else
                QCOMPARE(map->maximum, map->minimum);
        }

        // Verdicts equal a plain Scorer pass with every detector.
        std::vector<const Detector *> detectors;
        for (const ProfileDetector &d : m_profile.detectors)
            detectors.push_back(d.detector.get());
        const BatchScores plain = Scorer(*m_model.backbone, detectors).scoreBatch(input.unsqueeze(0));
        for (size_t i = 0; i < detectors.size(); ++i) {
            const double expected = plain.scores[i][0].item<double>();
            QVERIFY2(std::abs(e.verdicts[i].score - expected) <= 1e-9 * std::max(1.0, std::abs(expected)),
                     e.verdicts[i].id.c_str());
            QCOMPARE(e.verdicts[i].flagged, expected > m_profile.detectors[i].threshold);
        }

        // NERO's neuron view reproduces NERO's verdict; the landscape's centre the MSP verdict.
        const auto nero = std::find_if(e.verdicts.begin(), e.verdicts.end(),
                                       [](const DetectorVerdict &v) { return v.id == "nero"; });
        QVERIFY(e.neurons && nero != e.verdicts.end());
        QVERIFY(std::abs(e.neurons->score - nero->score) < 1e-6 * std::max(1.0, nero->score));
        QVERIFY(e.landscape);
        QCOMPARE(e.landscape->detectorId, std::string("msp"));
        QVERIFY(std::abs(e.landscape->centre - e.verdicts.front().score) < 1e-6);

        // One density per detector, with the frame's percentile.
        QCOMPARE(e.densities.size(), m_profile.detectors.size());
        for (const auto &[id, density] : e.densities)
            QVERIFY2(density.framePercentile && *density.framePercentile >= 0 &&
                         *density.framePercentile <= 100,
                     id.c_str());
        QVERIFY(e.faithfulness);
        QCOMPARE(e.faithfulness->curves.size(), e.heatmaps.size() + 1);
    }

    void bestHeatmapDeletesFasterThanRandom()
    {
        // Averaged over every other ID frame (the model is confident on them, so there is
        // something to delete): the deletion area of the best heatmap is below the random order's.
        ExplainOptions options;
        options.parts = {ExplainPart::RelevanceCam, ExplainPart::GradCam, ExplainPart::Lrp,
                         ExplainPart::Faithfulness};
        options.faithfulness.steps = 16;
        std::map<std::string, double> area;
        QStringList frames;
        const QStringList all = framesOf("id");
        for (int i = 0; i < all.size(); i += 2)
            frames << all[i];
        QVERIFY(frames.size() >= 10);
        for (const QString &frame : frames) {
            const FrameExplanation e = explainFrame(*m_model.backbone, m_profile, inputOf(frame), options);
            QVERIFY(e.faithfulness);
            for (const FaithfulnessCurve &curve : e.faithfulness->curves)
                area[curve.name] += curve.deletionArea / frames.size();
        }
        const double random = area.at("random");
        double best = 1e9;
        std::string bestName;
        for (const auto &[name, value] : area) {
            qInfo("mean deletion area %-14s %.4f", name.c_str(), value);
            if (name != "random" && value < best) {
                best = value;
                bestName = name;
            }
        }
        QVERIFY2(best < random,
                 qPrintable(QString("best %1 %2 vs random %3").arg(bestName.c_str()).arg(best).arg(random)));
    }

    void partsCanBeLeftOutAndReasonsAreGiven()
    {
        const at::Tensor input = inputOf(framesOf("id").value(0));
        ExplainOptions options;
        options.parts = {ExplainPart::GradCam};
        const FrameExplanation e = explainFrame(*m_model.backbone, m_profile, input, options);
        QCOMPARE(e.heatmaps.size(), size_t(1));
        QVERIFY(!e.neurons && !e.landscape && !e.faithfulness && e.densities.empty());

        // A profile without NERO: the neuron parts say why they are missing.
        Profile withoutNero;
        withoutNero.model = m_profile.model;
        for (ProfileDetector &d : m_profile.detectors)
            if (d.detector->id() == "msp")
                withoutNero.detectors.push_back(std::move(d));
        m_profile = loadProfile(kAssets + "/demo.oodprofile"); // the move emptied an entry
        options.parts = {ExplainPart::Neurons, ExplainPart::DeviationCam};
        const FrameExplanation partial = explainFrame(*m_model.backbone, withoutNero, input, options);
        QCOMPARE(partial.unavailable.size(), size_t(2));
        QVERIFY(partial.unavailable[0].second.find("NERO") != std::string::npos);

        options.parts = {ExplainPart::Landscape};
        options.landscapeDetector = "odin";
        QVERIFY(test::errorOf([&] {
                    explainFrame(*m_model.backbone, m_profile, input, options);
                }).contains("forward pass"));
        options.landscapeDetector = "nosuch";
        QVERIFY(test::errorOf([&] {
                    explainFrame(*m_model.backbone, m_profile, input, options);
                }).contains("not in the profile"));
        QVERIFY(test::errorOf([&] {
                    explainFrame(*m_model.backbone, m_profile, torch::zeros({2, 3, 8, 8}), options);
                }).contains("one frame"));
        QCOMPARE(explainPartFromName("lrp"), ExplainPart::Lrp);
        QVERIFY(test::errorOf([] { explainPartFromName("shap"); }).contains("choose from"));
    }

    void knownScoresAreReusedAndOnlyChosenDetectorsRun()
    {
        const at::Tensor input = inputOf(framesOf("near-ood").front());
        ExplainOptions all;
        all.parts = {ExplainPart::Densities};
        const FrameExplanation full = explainFrame(*m_model.backbone, m_profile, input, all);

        ExplainOptions some = all;
        some.detectorIds = {"energy", "msp", "odin"};
        some.knownScores = {{"msp", 123.5}, {"odin", -7.25}};
        const FrameExplanation partial = explainFrame(*m_model.backbone, m_profile, input, some);
        QCOMPARE(partial.verdicts.size(), size_t(3));
        QCOMPARE(partial.densities.size(), size_t(3));
        QCOMPARE(partial.verdicts[0].id, std::string("energy"));
        auto fullScoreOf = [&](const std::string &id) {
            for (const DetectorVerdict &v : full.verdicts)
                if (v.id == id)
                    return v.score;
            return std::nan("");
        };
        // energy is computed (the same number as with every detector), msp and odin are taken as given.
        QCOMPARE(partial.verdicts[0].score, fullScoreOf("energy"));
        QCOMPARE(partial.verdicts[1].score, 123.5);
        QCOMPARE(partial.verdicts[2].score, -7.25);
        QCOMPARE(partial.verdicts[2].flagged, -7.25 > m_profile.find("odin")->threshold);
        QCOMPARE(partial.prediction, full.prediction);
    }

    void partsArriveInOrder()
    {
        const at::Tensor input = inputOf(framesOf("far-ood").value(1));
        ExplainOptions options;
        options.parts = {ExplainPart::Neurons,   ExplainPart::RelevanceCam, ExplainPart::DeviationCam,
                         ExplainPart::GradCam,   ExplainPart::Lrp,          ExplainPart::Landscape,
                         ExplainPart::Densities, ExplainPart::Faithfulness};
        options.landscape.gridSize = 9;
        options.landscape.levels = {5};
        std::vector<std::string> stages;
        std::vector<FrameExplanation> soFar;
        options.partial = [&](const FrameExplanation &e, const std::string &stage) {
            stages.push_back(stage);
            soFar.push_back(e);
        };
        const FrameExplanation e = explainFrame(*m_model.backbone, m_profile, input, options);
        QCOMPARE(stages, (std::vector<std::string>{"verdicts", "heatmaps", "landscape 5x5", "landscape 9x9",
                                                   "faithfulness", "done"}));

        // Verdicts and densities first, nothing else yet.
        const FrameExplanation &verdicts = soFar[0];
        QCOMPARE(verdicts.prediction, e.prediction);
        QCOMPARE(verdicts.verdicts.size(), m_profile.detectors.size());
        QCOMPARE(verdicts.densities.size(), m_profile.detectors.size());
        QVERIFY(verdicts.heatmaps.empty() && !verdicts.neurons && !verdicts.landscape &&
                !verdicts.faithfulness);
        for (size_t i = 0; i < e.verdicts.size(); ++i)
            QCOMPARE(verdicts.verdicts[i].score, e.verdicts[i].score);
        // Then every heatmap and the neurons, before any landscape.
        QCOMPARE(soFar[1].heatmaps.size(), size_t(4));
        QVERIFY(soFar[1].neurons && !soFar[1].landscape);
        // The landscape coarse, then whole: the 5x5 grid is the 9x9 grid's even indices.
        QVERIFY(soFar[2].landscape && !soFar[2].faithfulness);
        QCOMPARE(soFar[2].landscape->coordinates.size(), size_t(5));
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j < 5; ++j)
                QCOMPARE(soFar[2].landscape->scores[i][j].item<double>(),
                         e.landscape->scores[2 * i][2 * j].item<double>());
        QCOMPARE(soFar[3].landscape->coordinates.size(), size_t(9));
        QVERIFY(torch::equal(soFar[3].landscape->scores, e.landscape->scores));
        // The faithfulness curves last; "done" is the whole explanation.
        QVERIFY(!soFar[3].faithfulness && soFar[4].faithfulness);
        QCOMPARE(soFar[4].faithfulness->curves.size(), e.heatmaps.size() + 1);
        QCOMPARE(soFar[5].seconds.size(), e.seconds.size());
        QCOMPARE(soFar[5].forwardImages, e.forwardImages);
        QVERIFY(e.unavailable.empty());
    }

    void forwardPassesAreCounted()
    {
        const at::Tensor input = inputOf(framesOf("id").value(1));
        auto imagesOf = [](const std::vector<std::pair<std::string, int64_t>> &stages,
                           const std::string &stage) {
            for (const auto &[name, images] : stages)
                if (name == stage)
                    return images;
            return int64_t(-1);
        };
        // No verdicts: one forward for the activations; a 5x5 landscape scores 25 perturbed copies,
        // in levels as without (3x3 first: 9, then the 16 others).
        ExplainOptions options;
        options.verdicts = false;
        options.parts = {ExplainPart::Landscape};
        options.landscape.gridSize = 5;
        for (const std::vector<int> &levels : {std::vector<int>{}, std::vector<int>{3}}) {
            options.landscape.levels = levels;
            const FrameExplanation e = explainFrame(*m_model.backbone, m_profile, input, options);
            QCOMPARE(imagesOf(e.forwardImages, "scores"), int64_t(1));
            QCOMPARE(imagesOf(e.forwardImages, "landscape"), int64_t(25));
            QCOMPARE(imagesOf(e.gradientImages, "landscape"), int64_t(0));
            QCOMPARE(e.forwardImages.size(), e.seconds.size());
            for (size_t i = 0; i < e.seconds.size(); ++i)
                QCOMPARE(e.forwardImages[i].first, e.seconds[i].first);
        }

        // ODIN's verdict: the input gradient of the frame (one image with gradients) and the
        // forward of the perturbed frame, next to the shared forward; a known score costs nothing.
        options.verdicts = true;
        options.parts = {ExplainPart::Saliency};
        options.detectorIds = {"odin", "msp"};
        FrameExplanation e = explainFrame(*m_model.backbone, m_profile, input, options);
        QCOMPARE(imagesOf(e.forwardImages, "scores"), int64_t(2));
        QCOMPARE(imagesOf(e.gradientImages, "scores"), int64_t(1));
        // Saliency: one frame through the model with gradients.
        QCOMPARE(imagesOf(e.forwardImages, "saliency"), int64_t(0));
        QCOMPARE(imagesOf(e.gradientImages, "saliency"), int64_t(1));
        options.knownScores = {{"odin", 1.0}};
        e = explainFrame(*m_model.backbone, m_profile, input, options);
        QCOMPARE(imagesOf(e.forwardImages, "scores"), int64_t(1));
        QCOMPARE(imagesOf(e.gradientImages, "scores"), int64_t(0));
    }

    void cancelStops()
    {
        ExplainOptions options;
        options.parts = {ExplainPart::Landscape};
        options.progress = [](const std::string &stage, int, int) { return stage != "landscape"; };
        QVERIFY(test::errorOf([&] {
                    explainFrame(*m_model.backbone, m_profile, inputOf(framesOf("id").value(0)), options);
                }).contains("cancel"));
    }
};

QTEST_GUILESS_MAIN(FrameExplainerTest)
#include "frameexplainertest.moc"
