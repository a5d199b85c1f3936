#include "detect/zeroshotsupport.h"

#include "base/error.h"
#include "model/clipbackbone.h"
#include "text/negativelabelfilter.h"
#include "text/wordnet.h"

// Qt
#include <QFile>
#include <QFileInfo>

#include <torch/torch.h>

namespace ood::zeroshot {

namespace {

std::vector<std::string> readLabelList(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        throw Error("cannot read the negative-label list " + path + ": " + file.errorString().toStdString());
    std::vector<std::string> labels;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (!line.isEmpty())
            labels.push_back(line.toStdString());
    }
    if (labels.empty())
        throw Error("the negative-label list " + path + " has no labels");
    return labels;
}

std::string describeList(const std::string &path, size_t count)
{
    return QFileInfo(QString::fromStdString(path)).absoluteFilePath().toStdString() + " (" +
           std::to_string(count) + " labels)";
}

} // namespace

std::string unavailableOn(const Backbone &backbone, const std::string &displayName)
{
    if (backbone.asClip())
        return {};
    return displayName +
           " compares the frame with text labels and needs a vision-language model (a CLIP exported with "
           "app/python/export_clip_for_ood_inspector.py, architecture \"clip\")";
}

std::string shapingUnavailableOn(const Backbone &backbone, const std::string &displayName)
{
    if (!backbone.asClip())
        return {};
    return displayName + " reshapes the non-negative penultimate activations of a ReLU network; a CLIP image "
                         "embedding is a "
                         "signed, normalised projection, so the rule has no meaning there";
}

NegativeLabels negativeLabelsFor(const FitContext &context, MiningVariant variant)
{
    if (!context.clip)
        throw Error("internal: zero-shot detector fitted without a vision-language model");
    const NegativeLabelSource &source = context.negatives;
    MinedNegatives mined;
    std::string description;
    if (source.readyList()) {
        std::vector<std::string> nouns, adjectives;
        if (!source.nounListFile.empty())
            nouns = readLabelList(source.nounListFile);
        if (!source.adjectiveListFile.empty())
            adjectives = readLabelList(source.adjectiveListFile);
        description =
            "ready list: nouns " +
            (source.nounListFile.empty() ? std::string("none")
                                         : describeList(source.nounListFile, nouns.size())) +
            ", adjectives " +
            (source.adjectiveListFile.empty() ? std::string("none")
                                              : describeList(source.adjectiveListFile, adjectives.size()));
        mined =
            embedNegatives(*context.clip, std::move(nouns), std::move(adjectives), variant, context.progress);
    } else {
        const WordNet wordNet = WordNet::load(source.wordNetDir);
        std::vector<WordList> lists;
        for (const std::string &lexFile : wordNet.lexFileNames())
            lists.push_back({lexFile, wordNet.firstLemmas(lexFile)});
        NegativeCandidates candidates = negativeCandidates(lists, variant, context.clip->classNames());
        MiningSettings settings;
        settings.variant = variant;
        mined = mineNegatives(*context.clip, candidates, settings, context.progress);
        description = std::string(variant == MiningVariant::NegRefine ? "NegRefine" : "NegLabel") +
                      " mining from WordNet " + source.wordNetDir + ": " +
                      std::to_string(mined.nouns.size()) + " of " + std::to_string(mined.nounCandidates) +
                      " nouns, " + std::to_string(mined.adjectives.size()) + " of " +
                      std::to_string(mined.adjectiveCandidates) + " adjectives";
        if (variant == MiningVariant::NegRefine && source.wordNetFilter) {
            const NegativeLabelFilter filter(wordNet, context.clip->classNames());
            std::vector<int64_t> keep;
            size_t removedNouns = 0, removedAdjectives = 0;
            for (size_t i = 0; i < mined.nouns.size(); ++i) {
                if (filter.decide(mined.nouns[i], PartOfSpeech::Noun).keep)
                    keep.push_back(static_cast<int64_t>(i));
                else
                    ++removedNouns;
            }
            std::vector<std::string> nouns, adjectives;
            for (int64_t i : keep)
                nouns.push_back(mined.nouns[static_cast<size_t>(i)]);
            for (size_t i = 0; i < mined.adjectives.size(); ++i) {
                if (filter.decide(mined.adjectives[i], PartOfSpeech::Adjective).keep) {
                    keep.push_back(static_cast<int64_t>(mined.nouns.size() + i));
                    adjectives.push_back(mined.adjectives[i]);
                } else {
                    ++removedAdjectives;
                }
            }
            mined.embeddings =
                mined.embeddings.index_select(0, torch::tensor(keep, torch::kInt64)).contiguous();
            mined.nouns = std::move(nouns);
            mined.adjectives = std::move(adjectives);
            description += "; WordNet filter removed " + std::to_string(removedNouns) + " nouns and " +
                           std::to_string(removedAdjectives) + " adjectives";
        }
    }
    NegativeLabels out;
    out.labels = mined.nouns;
    out.labels.insert(out.labels.end(), mined.adjectives.begin(), mined.adjectives.end());
    out.nounCount = static_cast<int64_t>(mined.nouns.size());
    out.embeddings = mined.embeddings;
    out.source = description;
    return out;
}

at::Tensor packTexts(const std::vector<std::string> &texts)
{
    std::string joined;
    for (size_t i = 0; i < texts.size(); ++i)
        joined += (i ? "\n" : "") + texts[i];
    at::Tensor out = torch::empty({static_cast<int64_t>(joined.size())}, torch::kUInt8);
    std::copy(joined.begin(), joined.end(), reinterpret_cast<char *>(out.data_ptr<uint8_t>()));
    return out;
}

std::vector<std::string> unpackTexts(const at::Tensor &packed)
{
    const at::Tensor bytes = packed.to(torch::kUInt8).contiguous();
    const std::string joined(reinterpret_cast<const char *>(bytes.data_ptr<uint8_t>()),
                             static_cast<size_t>(bytes.numel()));
    std::vector<std::string> out;
    if (joined.empty())
        return out;
    size_t start = 0;
    while (true) {
        const size_t end = joined.find('\n', start);
        out.push_back(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return out;
}

void storeNegatives(const NegativeLabels &negatives, DetectorState &state)
{
    state["negative_embeddings"] = negatives.embeddings.to(torch::kFloat32).contiguous();
    state["negative_labels"] = packTexts(negatives.labels);
    state["noun_count"] = torch::tensor(negatives.nounCount, torch::kInt64);
    state["negative_source"] = packTexts({negatives.source});
}

NegativeLabels restoreNegatives(const DetectorState &state, const std::string &detectorId)
{
    NegativeLabels out;
    out.embeddings =
        Detector::require(state, "negative_embeddings", detectorId).to(torch::kFloat32).contiguous();
    out.labels = unpackTexts(Detector::require(state, "negative_labels", detectorId));
    out.nounCount = Detector::require(state, "noun_count", detectorId).item<int64_t>();
    const std::vector<std::string> source =
        unpackTexts(Detector::require(state, "negative_source", detectorId));
    out.source = source.empty() ? std::string() : source.front();
    if (out.embeddings.dim() != 2 || out.embeddings.size(0) != static_cast<int64_t>(out.labels.size()) ||
        out.nounCount < 0 || out.nounCount > out.embeddings.size(0))
        throw Error("detector '" + detectorId + "': the negative labels (" +
                    std::to_string(out.labels.size()) + ") do not match their embeddings");
    return out;
}

at::Tensor scaledCosines(const at::Tensor &features, const at::Tensor &embeddings, double logitScale)
{
    return torch::matmul(features.to(torch::kFloat32), embeddings.to(torch::kFloat32).t())
               .to(torch::kFloat64) *
           logitScale;
}

std::pair<at::Tensor, at::Tensor> GroupingModel::logits(const at::Tensor &features) const
{
    return {scaledCosines(features, positives, logitScale),
            scaledCosines(features, negatives.embeddings, logitScale)};
}

void GroupingModel::store(DetectorState &state) const
{
    storeNegatives(negatives, state);
    state["positive_embeddings"] = positives;
    state["permutation"] = permutation;
    state["logit_scale"] = torch::tensor(logitScale, torch::kFloat64);
}

GroupingModel GroupingModel::restore(const DetectorState &state, const std::string &detectorId, double groups)
{
    GroupingModel out;
    out.negatives = restoreNegatives(state, detectorId);
    out.positives =
        Detector::require(state, "positive_embeddings", detectorId).to(torch::kFloat32).contiguous();
    out.permutation = Detector::require(state, "permutation", detectorId).to(torch::kInt64).contiguous();
    out.logitScale = Detector::require(state, "logit_scale", detectorId).item<double>();
    const auto g = static_cast<int64_t>(groups);
    if (g < 1 || out.permutation.numel() % g != 0 ||
        out.permutation.numel() > out.negatives.embeddings.size(0))
        throw Error("detector '" + detectorId +
                    "': the grouping permutation does not fit the negative labels");
    return out;
}

at::Tensor groupingScore(const at::Tensor &positives, const at::Tensor &negatives,
                         const at::Tensor &permutation, int64_t groups)
{
    const int64_t kept = permutation.numel();
    if (kept == 0 || kept % groups != 0)
        throw Error("internal: the grouping permutation does not fit " + std::to_string(groups) + " groups");
    const at::Tensor grouped =
        negatives.slice(1, 0, kept).index_select(1, permutation).view({negatives.size(0), groups, -1});
    const at::Tensor positiveLse = torch::logsumexp(positives, 1, true); // [N,1]
    const at::Tensor groupLse = torch::logsumexp(grouped, 2);            // [N,G]
    return torch::sigmoid(positiveLse - groupLse).mean(1);
}

at::Tensor groupingPermutation(int64_t count)
{
    at::Generator generator = at::detail::createCPUGenerator(0);
    return torch::randperm(count, generator, torch::kInt64);
}

at::Tensor groupingPermutationFor(int64_t negatives, double groups, const std::string &displayName)
{
    const auto g = static_cast<int64_t>(groups);
    if (g < 1 || negatives < g)
        throw Error(displayName + " needs at least as many negative labels (" + std::to_string(negatives) +
                    ") as groups (" + std::to_string(g) + ")");
    return groupingPermutation(negatives - negatives % g);
}

} // namespace ood::zeroshot
