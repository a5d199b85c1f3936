// One backbone, used from two threads at once, as the window does: the scoring run over a folder
// (with ODIN and PRO, which differentiate through the model) while a frame is explained (verdicts,
// CAMs, Grad-CAM, LRP, landscape). Every number must equal the one each gives alone, one after the
// other: that is what backbone.h promises.

#include "calib/profile.h"
#include "data/samplelist.h"
#include "explain/frameexplainer.h"
#include "image/imagedecoder.h"
#include "image/preprocess.h"
#include "model/modelloader.h"
#include "pipeline/scoringrun.h"

#include <QtTest>

#include <torch/torch.h>

#include <thread>

using namespace ood;

namespace {

const QString kAssets = OOD_SOURCE_DIR "/resources/demo/assets";

ExplainOptions explainOptions()
{
    ExplainOptions options;
    options.parts = {ExplainPart::Neurons, ExplainPart::RelevanceCam, ExplainPart::GradCam, ExplainPart::Lrp,
                     ExplainPart::Landscape};
    options.landscape.gridSize = 5;
    return options;
}

void compareTensors(const at::Tensor &a, const at::Tensor &b, const char *what)
{
    QVERIFY2(a.defined() == b.defined(), what);
    if (a.defined())
        QVERIFY2(torch::equal(a, b), what);
}

} // namespace

class BackboneConcurrencyTest : public QObject
{
    Q_OBJECT

  private:
    Profile m_profile;
    LoadedModel m_model;
    std::vector<Sample> m_samples;
    std::vector<at::Tensor> m_frames;

  private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kAssets + "/demo.oodprofile"))
            QSKIP("no demo assets (resources/demo/build-assets.sh)");
        at::set_num_threads(2);
        m_profile = loadProfile(kAssets + "/demo.oodprofile");
        m_model = loadModel((kAssets + "/model.pt").toStdString(), m_profile.model.architecture);
        m_samples = scanInputs({kAssets + "/frames"}).samples;
        QVERIFY(m_samples.size() >= 20);
        for (const QString group : {"id", "near-ood", "far-ood"}) {
            const SampleList list = scanInputs({kAssets + "/frames/" + group});
            m_frames.push_back(
                preprocessImage(decodeImageFile(list.samples.front().path), m_profile.model.input));
        }
    }

    void scoringAndExplainingAtOnceGiveTheSameNumbers()
    {
        QVERIFY(m_profile.find("odin") && m_profile.find("pro_gen"));
        Backbone &backbone = *m_model.backbone;
        RunOptions options;
        options.batchSize = 8;
        // One after the other.
        const ScoredImages aloneScores = scoreImages(backbone, m_profile, m_samples, {}, options);
        std::vector<FrameExplanation> aloneExplanations;
        for (const at::Tensor &frame : m_frames)
            aloneExplanations.push_back(explainFrame(backbone, m_profile, frame, explainOptions()));

        // At the same time, three rounds (a race that loses once in a while would show).
        for (int round = 0; round < 3; ++round) {
            ScoredImages together;
            std::string scoringError;
            std::thread scoring([&] {
                try {
                    together = scoreImages(backbone, m_profile, m_samples, {}, options);
                } catch (const std::exception &e) {
                    scoringError = e.what();
                }
            });
            std::vector<FrameExplanation> explanations;
            for (const at::Tensor &frame : m_frames)
                explanations.push_back(explainFrame(backbone, m_profile, frame, explainOptions()));
            scoring.join();
            QVERIFY2(scoringError.empty(), scoringError.c_str());

            QVERIFY(torch::equal(together.scores, aloneScores.scores));
            QCOMPARE(together.predictions, aloneScores.predictions);
            QCOMPARE(together.flaggedBy, aloneScores.flaggedBy);
            for (size_t f = 0; f < explanations.size(); ++f) {
                const FrameExplanation &a = explanations[f], &b = aloneExplanations[f];
                QCOMPARE(a.prediction, b.prediction);
                QCOMPARE(a.probabilities, b.probabilities);
                QCOMPARE(a.verdicts.size(), b.verdicts.size());
                for (size_t v = 0; v < a.verdicts.size(); ++v)
                    QCOMPARE(a.verdicts[v].score, b.verdicts[v].score);
                QCOMPARE(a.heatmaps.size(), b.heatmaps.size());
                for (size_t h = 0; h < a.heatmaps.size(); ++h)
                    compareTensors(a.heatmaps[h].values, b.heatmaps[h].values, a.heatmaps[h].method.c_str());
                QVERIFY(a.landscape.has_value() && b.landscape.has_value());
                compareTensors(a.landscape->scores, b.landscape->scores, "landscape");
            }
        }
    }
};

QTEST_GUILESS_MAIN(BackboneConcurrencyTest)
#include "backboneconcurrencytest.moc"
