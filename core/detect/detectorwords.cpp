#include "detect/detectorwords.h"

#include <QCoreApplication>

namespace ood {

namespace {

struct Words
{
    const char *id;
    const char *plainName;
    const char *description;
};

// What each score looks at (docs/detectors.md), said without the vocabulary of the field: the
// people reading it decide about endoscopy frames, not about classifiers. "Normal frames" are the
// profile's ID validation frames; every description says when the score is high, since higher
// always means more unusual. QT_TRANSLATE_NOOP marks the strings for lupdate; detectorWords()
// translates them at run time, so a language switch takes effect without a rebuild of this table.
const Words kWords[] = {
    {"msp", QT_TRANSLATE_NOOP("DetectorWords", "Low confidence"),
     QT_TRANSLATE_NOOP("DetectorWords", "The model is less sure of its answer than it is on normal frames.")},
    {"odin", QT_TRANSLATE_NOOP("DetectorWords", "Low confidence, sharpened"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Like low confidence, but measured after a tiny deliberate change to the image "
                       "that raises the confidence of normal frames more than of unusual ones.")},
    {"energy", QT_TRANSLATE_NOOP("DetectorWords", "Weak overall response"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Taken together, the model responds to the frame more weakly than to normal "
                       "frames.")},
    {"entropy", QT_TRANSLATE_NOOP("DetectorWords", "Undecided between classes"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The model spreads its belief over several classes instead of settling on "
                       "one.")},
    {"maxlogit", QT_TRANSLATE_NOOP("DetectorWords", "Weak response to the top class"),
     QT_TRANSLATE_NOOP("DetectorWords", "The model's response to the class it picks is weaker than on normal "
                                        "frames.")},
    {"mahalanobis", QT_TRANSLATE_NOOP("DetectorWords", "Far from every class"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "What the model sees in the frame lies far from what it sees in the training "
                       "images of every class.")},
    {"vim", QT_TRANSLATE_NOOP("DetectorWords", "Outside the familiar range"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Part of what the model sees in the frame lies outside the range the training "
                       "images cover, and its response to the classes is weak.")},
    {"neco", QT_TRANSLATE_NOOP("DetectorWords", "Off the main patterns"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Less of what the model sees in the frame follows the main patterns of the "
                       "training images than on normal frames.")},
    {"react", QT_TRANSLATE_NOOP("DetectorWords", "Weak response, extremes capped"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The model's overall response, with unusually strong inner signals capped, is "
                       "weaker than on normal frames.")},
    {"gradnorm", QT_TRANSLATE_NOOP("DetectorWords", "Little to learn from"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Training on the frame would change the model less than training on a normal "
                       "frame would.")},
    {"nero", QT_TRANSLATE_NOOP("DetectorWords", "Unfamiliar neuron pattern"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The pattern of neurons that drove the decision is unlike any seen in normal "
                       "frames of its class.")},
    {"knn", QT_TRANSLATE_NOOP("DetectorWords", "No similar training image"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Even the training images most similar to the frame, as the model sees them, "
                       "are further from it than usual.")},
    {"gen", QT_TRANSLATE_NOOP("DetectorWords", "Undecided among the likely classes"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The model's belief is spread over its most likely classes (a refined "
                       "measure of indecision).")},
    {"tempscale", QT_TRANSLATE_NOOP("DetectorWords", "Low calibrated confidence"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The model's confidence, corrected on validation images so that it matches "
                       "how often the model is right, is lower than on normal frames.")},
    {"ash", QT_TRANSLATE_NOOP("DetectorWords", "Strongest signals, evened out"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Only the model's strongest inner signals are kept, all at one common level; "
                       "the response that remains is weaker than on normal frames.")},
    {"ash_s", QT_TRANSLATE_NOOP("DetectorWords", "Strongest signals, amplified"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Only the model's strongest inner signals are kept, amplified by how much "
                       "they dominate; the response that remains is weaker than on normal frames.")},
    {"ash_p", QT_TRANSLATE_NOOP("DetectorWords", "Strongest signals only"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Only the model's strongest inner signals are kept as they are; the response "
                       "that remains is weaker than on normal frames.")},
    {"scale", QT_TRANSLATE_NOOP("DetectorWords", "Weak response, scaled by signal peaks"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The model's response, scaled by how much its strongest inner signals "
                       "dominate, is weaker than on normal frames.")},
    {"dice", QT_TRANSLATE_NOOP("DetectorWords", "Weak response on the main connections"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Using only the model's connections that matter most for the classes, its "
                       "response is weaker than on normal frames.")},
    {"rmds", QT_TRANSLATE_NOOP("DetectorWords", "Far from every class, relative"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "What the model sees lies far from every class compared with how far it lies "
                       "from the training images as a whole.")},
    {"fdbd", QT_TRANSLATE_NOOP("DetectorWords", "Close to a class border"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The frame sits closer to the borders between the classes than normal frames "
                       "do.")},
    {"grood", QT_TRANSLATE_NOOP("DetectorWords", "Unfamiliar learning direction"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The way the frame would pull on the model in training is unlike that of any "
                       "training image.")},
    {"pro_msp", QT_TRANSLATE_NOOP("DetectorWords", "Confidence easily shaken"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "A tiny deliberate change to the image lowers the model's confidence more "
                       "than on normal frames.")},
    {"pro_ent", QT_TRANSLATE_NOOP("DetectorWords", "Indecision easily raised"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "A tiny deliberate change to the image leaves the model more undecided "
                       "between classes than on normal frames.")},
    {"pro_msp_t", QT_TRANSLATE_NOOP("DetectorWords", "Softened confidence easily shaken"),
     QT_TRANSLATE_NOOP("DetectorWords", "A tiny deliberate change to the image lowers the model's softened "
                                        "confidence more than on normal frames.")},
    {"pro_gen", QT_TRANSLATE_NOOP("DetectorWords", "Refined indecision easily raised"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "Small deliberate changes to the image leave the model more undecided among "
                       "its likely classes than on normal frames.")},
    {"abet", QT_TRANSLATE_NOOP("DetectorWords", "Weak learned response"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The model's own confidence output, trained to tell familiar from unfamiliar "
                       "images, is lower than on normal frames.")},
    {"mcm", QT_TRANSLATE_NOOP("DetectorWords", "Poor match to the class names"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The picture matches the names of the expected classes less clearly than "
                       "normal frames do.")},
    {"neglabel", QT_TRANSLATE_NOOP("DetectorWords", "Matches unrelated words"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The picture matches words unrelated to the expected classes almost as well "
                       "as the classes themselves.")},
    {"negrefine", QT_TRANSLATE_NOOP("DetectorWords", "Matches unrelated words, refined"),
     QT_TRANSLATE_NOOP("DetectorWords",
                       "The picture matches unrelated words, alone or combined with a class name, "
                       "almost as well as the expected classes.")},
};

} // namespace

DetectorWords detectorWords(const QString &detectorId)
{
    for (const Words &words : kWords)
        if (detectorId == QLatin1String(words.id))
            return {QCoreApplication::translate("DetectorWords", words.plainName),
                    QCoreApplication::translate("DetectorWords", words.description)};
    return {detectorId, QString()};
}

} // namespace ood
