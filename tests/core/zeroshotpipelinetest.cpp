// CLIP in the pipeline, on the tiny CLIP the tests export with the project's exporter
// (tests/support/tinyclip.h): the backbone's head, the label-embedding cache, negative-label
// mining and NegRefine's score against a direct evaluation of methods.md §11 (loops over the
// model's own text and image embeddings, double precision), and a profile fitted from class
// names alone.

#include "base/error.h"
#include "detect/negativemining.h"
#include "detect/registry.h"
#include "calib/profile.h"
#include "fit/profilefitter.h"
#include "model/clipbackbone.h"
#include "model/labelembeddings.h"
#include "model/modelloader.h"
#include "support/systempython.h"
#include "support/tinyclip.h"
#include "text/prompttemplates.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace ood;

namespace {

const std::vector<std::string> kClasses{"normal cecum", "normal pylorus", "normal z-line"};

/// Mean of the raw embeddings over `templates`, normalised: computed text by text.
at::Tensor directEmbedding(const ClipModel &model, const std::string &label,
                           const std::vector<std::string> &templates)
{
    at::Tensor sum;
    for (const std::string &pattern : templates) {
        const at::Tensor e = model.encodeTexts({fillTemplate(pattern, label)})[0].to(torch::kFloat64);
        sum = sum.defined() ? sum + e : e;
    }
    const at::Tensor mean = sum / double(templates.size());
    return mean / mean.norm();
}

double cosine(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(torch::kFloat64) * b.to(torch::kFloat64)).sum().item<double>() /
           (a.to(torch::kFloat64).norm().item<double>() * b.to(torch::kFloat64).norm().item<double>());
}

bool writeLines(const QString &path, const QStringList &lines)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(lines.join('\n').toUtf8() + '\n');
    return true;
}

} // namespace

class ZeroShotPipelineTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model;
    std::unique_ptr<LoadedModel> m_loaded;
    const ClipBackbone *m_clip = nullptr;

  private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("OOD_INSPECTOR_CACHE_DIR", m_dir.filePath("cache").toUtf8());
        if (!test::systemPythonHas("torch"))
            OOD_SKIP_WITHOUT_REFERENCE("Debian's python3-torch is needed to export the tiny CLIP");
        const test::TinyClip tiny = test::makeTinyClip(m_dir.path());
        QVERIFY2(!tiny.path.isEmpty(), qPrintable(tiny.problem));
        m_model = tiny.path;
        m_loaded = std::make_unique<LoadedModel>(loadModel(m_model.toStdString(), "clip", kClasses));
        m_clip = m_loaded->backbone->asClip();
        QVERIFY(m_clip);
    }

    void headIsTheLabelsText()
    {
        const ClipModel &model = m_clip->model();
        QCOMPARE(m_loaded->card.numClasses, 3);
        QCOMPARE(m_loaded->card.featureDim, model.embeddingDim());
        QCOMPARE(m_loaded->card.classNames, kClasses);
        const at::Tensor weight = m_clip->headWeight();
        for (size_t c = 0; c < kClasses.size(); ++c) {
            const at::Tensor expected =
                directEmbedding(model, kClasses[c], nounTemplates()) * model.logitScale();
            QVERIFY2(torch::allclose(weight[int64_t(c)].to(torch::kFloat64), expected, 1e-5, 1e-4),
                     kClasses[c].c_str());
        }
        // logits = logit scale x cosine of the image embedding and each label's text embedding.
        torch::manual_seed(1);
        const at::Tensor images = torch::randn({2, 3, 32, 32});
        const Activations a = m_loaded->backbone->forward(images, {});
        const at::Tensor raw = model.encodeImage(images);
        for (int64_t i = 0; i < 2; ++i) {
            QVERIFY(std::abs(a.features[i].norm().item<double>() - 1) < 1e-5);
            for (size_t c = 0; c < kClasses.size(); ++c) {
                const double expected =
                    model.logitScale() * cosine(raw[i], directEmbedding(model, kClasses[c], nounTemplates()));
                QVERIFY(std::abs(a.logits[i][int64_t(c)].item<double>() - expected) < 1e-4);
            }
        }
    }

    void labelEmbeddingsAreCachedPerModel()
    {
        LabelEmbeddingRequest request;
        request.labels = {"polyp", "blood", "instrument"};
        request.templates = adjectiveTemplates();
        request.modelSha256 = m_loaded->card.sha256;
        const LabelEmbeddingStats before = labelEmbeddingStats();
        const at::Tensor first = embedLabels(m_clip->model(), request);
        const LabelEmbeddingStats middle = labelEmbeddingStats();
        QCOMPARE(middle.embeddedTexts - before.embeddedTexts, int64_t(12));
        const at::Tensor second = embedLabels(m_clip->model(), request);
        const LabelEmbeddingStats after = labelEmbeddingStats();
        QCOMPARE(after.embeddedTexts, middle.embeddedTexts); // from the cache
        QCOMPARE(after.cachedTexts - middle.cachedTexts, int64_t(12));
        QVERIFY(torch::equal(first, second));
        // Another model (another sha256) does not see this model's cache.
        request.modelSha256 = std::string(64, '0');
        embedLabels(m_clip->model(), request);
        QCOMPARE(labelEmbeddingStats().embeddedTexts - after.embeddedTexts, int64_t(12));
        for (int64_t i = 0; i < 3; ++i)
            QVERIFY(torch::allclose(
                first[i].to(torch::kFloat64),
                directEmbedding(m_clip->model(), request.labels[size_t(i)], adjectiveTemplates()), 1e-5,
                1e-5));
    }

    void miningSelectsTheDirectSelection_data()
    {
        QTest::addColumn<int>("variant");
        QTest::newRow("negrefine") << int(MiningVariant::NegRefine);
        QTest::newRow("neglabel") << int(MiningVariant::NegLabel);
    }

    void miningSelectsTheDirectSelection()
    {
        QFETCH(int, variant);
        const auto v = static_cast<MiningVariant>(variant);
        NegativeCandidates candidates;
        for (const char *w : {"cloud",   "bicycle", "stomach",  "mucosa",    "guitar",    "volcano", "colon",
                              "polyp",   "pencil",  "sandwich", "intestine", "river",     "lantern", "ulcer",
                              "tractor", "bladder", "meadow",   "castle",    "esophagus", "violin"})
            candidates.nouns.push_back(w);
        for (const char *w : {"red scene", "smooth area", "wet view", "bright item", "rough object",
                              "pale thing", "glossy pattern"})
            candidates.adjectives.push_back(w);
        MiningSettings settings;
        settings.variant = v;
        settings.share = 0.3;
        const MinedNegatives mined = mineNegatives(*m_clip, candidates, settings);

        const ClipModel &model = m_clip->model();
        const std::vector<std::string> positiveTemplates =
            v == MiningVariant::NegLabel ? std::vector<std::string>{"the nice {}"} : nounTemplates();
        std::vector<at::Tensor> positives;
        for (const std::string &c : kClasses)
            positives.push_back(directEmbedding(model, c, positiveTemplates));
        for (PartOfSpeech pos : {PartOfSpeech::Noun, PartOfSpeech::Adjective}) {
            const auto &labels = pos == PartOfSpeech::Noun ? candidates.nouns : candidates.adjectives;
            std::vector<double> similarity;
            for (const std::string &label : labels) {
                const at::Tensor e = directEmbedding(model, label, miningTemplates(v, pos));
                std::vector<double> cosines;
                for (const at::Tensor &p : positives)
                    cosines.push_back(cosine(e, p));
                std::sort(cosines.begin(), cosines.end());
                double s = 0;
                if (v == MiningVariant::NegRefine) {
                    s = cosines.back() > 0.95 ? 1.0 : cosines.back();
                } else { // 0.95 quantile of three values: linear between the 2nd and 3rd
                    const double position = 0.95 * 2;
                    s = cosines[1] + (position - 1) * (cosines[2] - cosines[1]);
                }
                similarity.push_back(s);
            }
            std::vector<size_t> order(labels.size());
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(),
                             [&](size_t a, size_t b) { return similarity[a] < similarity[b]; });
            std::vector<std::string> expected;
            for (size_t i = 0; i < size_t(double(labels.size()) * 0.3); ++i)
                expected.push_back(labels[order[i]]);
            const auto &got = pos == PartOfSpeech::Noun ? mined.nouns : mined.adjectives;
            QCOMPARE(got, expected);
        }
        QCOMPARE(mined.embeddings.size(0), int64_t(mined.nouns.size() + mined.adjectives.size()));
    }

    void negRefineEqualsDirectEvaluation()
    {
        const QString nouns = m_dir.filePath("nouns.txt"), adjectives = m_dir.filePath("adjectives.txt");
        QStringList nounList, adjectiveList;
        for (int i = 0; i < 150; ++i)
            nounList << QStringLiteral("thing number %1").arg(i);
        for (int i = 0; i < 60; ++i)
            adjectiveList << QStringLiteral("odd %1 scene").arg(i);
        QVERIFY(writeLines(nouns, nounList) && writeLines(adjectives, adjectiveList));
        FitContext context;
        context.clip = m_clip;
        context.negatives.nounListFile = nouns.toStdString();
        context.negatives.adjectiveListFile = adjectives.toStdString();
        auto detector = createDetector("negrefine");
        detector->fit(context);
        const NegativeLabels *negatives = detector->negativeLabels();
        QVERIFY(negatives);
        QCOMPARE(negatives->labels.size(), size_t(210));
        QCOMPARE(negatives->nounCount, int64_t(150));
        const at::Tensor permutation = detector->state().at("permutation");
        QCOMPARE(permutation.numel(), int64_t(200)); // 210 - 210 mod 100

        torch::manual_seed(5);
        const at::Tensor images = torch::randn({3, 3, 32, 32});
        const Activations a = m_loaded->backbone->forward(images, {});
        ScoreContext score{a, {}, nullptr, m_clip->headWeight(), m_clip->headBias(), m_clip};
        const at::Tensor scores = detector->score(score);

        const ClipModel &model = m_clip->model();
        const double scale = model.logitScale();
        std::vector<at::Tensor> positives, negativeEmbeddings;
        for (const std::string &c : kClasses)
            positives.push_back(directEmbedding(model, c, nounTemplates()));
        for (int64_t k = 0; k < 210; ++k)
            negativeEmbeddings.push_back(directEmbedding(model, negatives->labels[size_t(k)],
                                                         k < 150 ? nounTemplates() : adjectiveTemplates()));
        const at::Tensor raw = model.encodeImage(images);
        for (int64_t i = 0; i < 3; ++i) {
            std::vector<double> pos, neg;
            for (const at::Tensor &p : positives)
                pos.push_back(scale * cosine(raw[i], p));
            for (const at::Tensor &n : negativeEmbeddings)
                neg.push_back(scale * cosine(raw[i], n));
            double positiveSum = 0;
            for (double v : pos)
                positiveSum += std::exp(v);
            double grouping = 0;
            for (int64_t g = 0; g < 100; ++g) {
                double negativeSum = 0;
                for (int64_t m = 0; m < 2; ++m)
                    negativeSum += std::exp(neg[size_t(permutation[g * 2 + m].item<int64_t>())]);
                grouping += positiveSum / (positiveSum + negativeSum) / 100.0;
            }
            std::vector<size_t> posOrder(pos.size()), negOrder(neg.size());
            std::iota(posOrder.begin(), posOrder.end(), 0);
            std::iota(negOrder.begin(), negOrder.end(), 0);
            std::sort(posOrder.begin(), posOrder.end(), [&](size_t x, size_t y) { return pos[x] > pos[y]; });
            std::sort(negOrder.begin(), negOrder.end(), [&](size_t x, size_t y) { return neg[x] > neg[y]; });
            double multiMatching = 0;
            for (size_t p = 0; p < std::min<size_t>(5, pos.size()); ++p)
                for (size_t n = 0; n < 5; ++n) {
                    const std::string pair = kClasses[posOrder[p]] + " and " + negatives->labels[negOrder[n]];
                    const double t = scale * cosine(raw[i], directEmbedding(model, pair, nounTemplates()));
                    const double e = std::exp(t) / (std::exp(t) + std::exp(neg[negOrder[n]]));
                    multiMatching = std::max(multiMatching, e);
                }
            const double unified = -(grouping + 2 * multiMatching);
            QVERIFY2(std::abs(scores[i].item<double>() - unified) <= 1e-5,
                     qPrintable(QString("frame %1: %2 vs %3")
                                    .arg(i)
                                    .arg(scores[i].item<double>(), 0, 'g', 10)
                                    .arg(unified, 0, 'g', 10)));
        }
    }

    void profileFromClassNamesAlone()
    {
        const QString nouns = m_dir.filePath("nouns.txt"), adjectives = m_dir.filePath("adjectives.txt");
        FitOptions options;
        options.detectorIds = {"msp", "energy", "knn", "mcm", "neglabel", "negrefine", "react", "grood"};
        options.negatives.nounListFile = nouns.toStdString();
        options.negatives.adjectiveListFile = adjectives.toStdString();
        const Profile profile = fitProfile(*m_loaded, SampleList(), SampleList(), options);
        QVERIFY(!profile.canFlag());
        QCOMPARE(profile.model.classNames, kClasses);
        QCOMPARE(profile.model.architecture, std::string("clip"));
        std::vector<std::string> fitted;
        for (const ProfileDetector &d : profile.detectors) {
            fitted.push_back(d.detector->id());
            QVERIFY(std::isnan(d.threshold));
        }
        QCOMPARE(fitted, (std::vector<std::string>{"msp", "energy", "mcm", "neglabel", "negrefine"}));
        QVERIFY(profile.unavailableReason("knn").find("--train") != std::string::npos);
        // Saved and read back: CLIP's preprocessing, the negatives and the same scores.
        const QString path = m_dir.filePath("names.oodprofile");
        saveProfile(profile, path);
        const Profile loaded = loadProfile(path);
        QVERIFY(loaded.model.input.resize == ResizePolicy::ShortSideBicubicCenterCrop);
        QCOMPARE(loaded.model.input.width, 32);
        QVERIFY(!loaded.canFlag());
        const NegativeLabels *negatives = loaded.find("negrefine")->detector->negativeLabels();
        QVERIFY(negatives && negatives->labels.size() == 210);
        QVERIFY(negatives->source.find("nouns.txt (150 labels)") != std::string::npos);
        torch::manual_seed(9);
        const Activations a = m_loaded->backbone->forward(torch::randn({2, 3, 32, 32}), {});
        const ScoreContext context{a, {}, nullptr, m_clip->headWeight(), m_clip->headBias(), m_clip};
        for (const char *id : {"mcm", "neglabel", "negrefine"})
            QVERIFY2(torch::allclose(profile.find(id)->detector->score(context),
                                     loaded.find(id)->detector->score(context), 0, 1e-12),
                     id);
        QVERIFY(profile.unavailableReason("react").find("CLIP") != std::string::npos);
        QVERIFY(!profile.unavailableReason("grood").empty());
    }

    void clipNeedsClassNames()
    {
        QVERIFY_THROWS_EXCEPTION(Error, loadModel(m_model.toStdString(), "clip", {}));
        QVERIFY_THROWS_EXCEPTION(Error, loadModel(m_model.toStdString(), "resnet18"));
    }

    void zeroShotDetectorsRunOnAClip()
    {
        for (const char *id : {"mcm", "neglabel", "negrefine"}) {
            auto detector = createDetector(id);
            QVERIFY(detector->unavailableReason(*m_loaded->backbone).empty());
        }
    }
};

QTEST_GUILESS_MAIN(ZeroShotPipelineTest)
#include "zeroshotpipelinetest.moc"
