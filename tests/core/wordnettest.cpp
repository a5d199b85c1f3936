// WordNet 3.0 as Debian's wordnet-base installs it: the per-lexicographer-file word lists against
// NegRefine's txtfiles/, relations checked by reading data.noun / data.adj / index.noun by hand,
// and the parser on small hand-written databases (good and malformed).

#include "support/errors.h"
#include "support/systempython.h"
#include "text/wordnet.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>

using namespace ood;

namespace {

const char *const kWordNetDir = "/usr/share/wordnet";

std::vector<std::string> readLines(const QString &path)
{
    std::vector<std::string> lines;
    std::ifstream in(path.toStdString());
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

// A licence line as the real files start with, then three synsets: a hypernym with a noun
// hyponym and an instance hyponym (offsets are arbitrary here: pointers are matched by value).
const QByteArray kTinyNouns =
    "  1 This software and database is being provided to you, the LICENSEE  \n"
    "00000100 03 n 02 thing 0 Big_Thing 1 002 ~ 00000200 n 0000 ~i 00000300 n 0000 | a thing  \n"
    "00000200 06 n 01 widget 0 001 @ 00000100 n 0000 | a small thing  \n"
    "00000300 15 n 01 Gizmoville 0 002 @i 00000100 n 0000 + 00000400 a 0101 | a town  \n";
const QByteArray kTinyAdjectives =
    "00000400 01 a 01 gizmovillian(a) 0 001 \\ 00000300 n 0101 | of Gizmoville  \n";

} // namespace

class WordNetTest : public QObject
{
    Q_OBJECT

    std::optional<WordNet> m_wordNet;

    bool haveWordNet() { return m_wordNet.has_value(); }

  private Q_SLOTS:
    void initTestCase()
    {
        if (QFile::exists(QString(kWordNetDir) + "/data.noun"))
            m_wordNet.emplace(WordNet::load(kWordNetDir));
    }

    void lexicographerFiles()
    {
        if (!haveWordNet())
            OOD_SKIP_WITHOUT_REFERENCE("WordNet 3.0 in /usr/share/wordnet (Debian package wordnet-base)");
        // lexnames(5WN): 26 noun files (3 noun.Tops .. 28 noun.time) and the adjective files 0, 1, 44.
        const auto &names = WordNet::lexicographerFileNames();
        QCOMPARE(names.size(), size_t(45));
        QCOMPARE(names[3], std::string("noun.Tops"));
        QCOMPARE(names[28], std::string("noun.time"));
        QCOMPARE(names[44], std::string("adj.ppl"));
        const std::vector<std::string> present = m_wordNet->lexFileNames();
        QCOMPARE(present.size(), size_t(29));
        QCOMPARE(present.front(), std::string("adj.all"));
        QCOMPARE(present[2], std::string("noun.Tops"));
        QCOMPARE(present.back(), std::string("adj.ppl"));
        // `grep -vc '^  ' data.noun data.adj`: 82115 noun and 18156 adjective synsets.
        QCOMPARE(m_wordNet->synsetCount(), size_t(82115 + 18156));
        QVERIFY(m_wordNet->firstLemmas("verb.motion").empty());
        QVERIFY(test::errorOf([&] { m_wordNet->firstLemmas("noun.animals"); }).contains("noun.animals"));
    }

    // The reference lists were made from WordNet 3.1's lexicographer sources, not 3.0's database
    // (see the report in the header of text/wordnet.h), so they agree in all but a few entries per
    // file. The expected counts were taken by a separate Python reading of data.noun/data.adj
    // (first word of each synset, "(a)"-style markers dropped, lower-cased, `_` as a space, as a
    // set) against the reference files; they are exact because both inputs are fixed.
    void wordListsAgreeWithReference_data()
    {
        QTest::addColumn<QString>("lexFile");
        QTest::addColumn<int>("ours");
        QTest::addColumn<int>("theirs");
        QTest::addColumn<int>("common");
        // clang-format off
        const struct { const char *file; int ours, theirs, common; } rows[] = {
            {"adj.all", 10994, 10007, 9938}, {"adj.pert", 3394, 3400, 3383}, {"adj.ppl", 60, 60, 60},
            {"noun.Tops", 50, 50, 50}, {"noun.act", 5890, 5897, 5888}, {"noun.artifact", 10329, 10345, 10322},
            {"noun.attribute", 2728, 2729, 2727}, {"noun.body", 1979, 1978, 1976},
            {"noun.cognition", 2766, 2775, 2764}, {"noun.communication", 5100, 5090, 5072},
            {"noun.event", 996, 998, 994}, {"noun.feeling", 411, 413, 411}, {"noun.group", 2407, 2407, 2401},
            {"noun.location", 2946, 2959, 2941}, {"noun.motive", 41, 41, 41}, {"noun.object", 1500, 1501, 1498},
            {"noun.person", 9627, 9619, 9606}, {"noun.phenomenon", 628, 629, 628},
            {"noun.plant", 7630, 7631, 7627}, {"noun.possession", 997, 998, 993},
            {"noun.process", 719, 719, 719}, {"noun.quantity", 1195, 1195, 1193},
            {"noun.relation", 411, 411, 410}, {"noun.shape", 328, 331, 327}, {"noun.state", 3410, 3413, 3405},
            {"noun.substance", 2923, 2926, 2901}, {"noun.time", 930, 933, 913}};
        // clang-format on
        for (const auto &row : rows)
            QTest::newRow(row.file) << row.file << row.ours << row.theirs << row.common;
    }

    void wordListsAgreeWithReference()
    {
        QFETCH(QString, lexFile);
        QFETCH(int, ours);
        QFETCH(int, theirs);
        QFETCH(int, common);
        if (!haveWordNet())
            OOD_SKIP_WITHOUT_REFERENCE("WordNet 3.0 in /usr/share/wordnet (Debian package wordnet-base)");
        const QString path = QString(OOD_SHARED_DIR) + "/reference/negrefine/txtfiles/" + lexFile + ".txt";
        if (!QFile::exists(path))
            OOD_SKIP_WITHOUT_REFERENCE("NegRefine's word lists in shared/reference/negrefine/txtfiles");
        const std::vector<std::string> mine = m_wordNet->firstLemmas(lexFile.toStdString());
        const std::vector<std::string> reference = readLines(path);
        const std::set<std::string> mineSet(mine.begin(), mine.end()),
            referenceSet(reference.begin(), reference.end());
        QCOMPARE(mineSet.size(), mine.size()); // each lemma once
        std::vector<std::string> both;
        std::set_intersection(mineSet.begin(), mineSet.end(), referenceSet.begin(), referenceSet.end(),
                              std::back_inserter(both));
        // The order of the common words: the reference's is a Python set's.
        std::vector<std::string> mineCommon, referenceCommon;
        for (const std::string &w : mine)
            if (referenceSet.count(w))
                mineCommon.push_back(w);
        for (const std::string &w : reference)
            if (mineSet.count(w))
                referenceCommon.push_back(w);
        qInfo("%-19s ours %5zu  theirs %5zu  common %5zu (%.2f%% of theirs)  order identical: %s",
              qPrintable(lexFile), mine.size(), reference.size(), both.size(),
              100.0 * double(both.size()) / double(reference.size()),
              mineCommon == referenceCommon ? "yes" : "no");
        QCOMPARE(int(mine.size()), ours);
        QCOMPARE(int(reference.size()), theirs);
        QCOMPARE(int(both.size()), common);
    }

    void wordListForm()
    {
        if (!haveWordNet())
            OOD_SKIP_WITHOUT_REFERENCE("WordNet 3.0 in /usr/share/wordnet (Debian package wordnet-base)");
        // data.noun's first synsets (lexicographer file 03): entity, physical_entity, abstraction.
        const std::vector<std::string> tops = m_wordNet->firstLemmas("noun.Tops");
        QCOMPARE(tops.size(), size_t(50));
        QCOMPARE(tops[0], std::string("entity"));
        QCOMPARE(tops[1], std::string("physical entity"));
        QCOMPARE(tops[2], std::string("abstraction"));
        // 01552162 "galore(ip)" is the first word of its synset: the marker goes.
        const std::vector<std::string> adjectives = m_wordNet->firstLemmas("adj.all");
        QVERIFY(std::find(adjectives.begin(), adjectives.end(), "galore") != adjectives.end());
        const WordNet::SynsetId galore = m_wordNet->synsetAt(PartOfSpeech::Adjective, 1552162);
        QVERIFY(galore != WordNet::kNoSynset);
        QCOMPARE(m_wordNet->synset(galore).words, std::vector<std::string>{"galore"});
        QCOMPARE(m_wordNet->synset(galore).type, 's');
        // 09022667: "Samarkand 0 Samarcand 0", lower-cased in the list.
        const std::vector<std::string> locations = m_wordNet->firstLemmas("noun.location");
        QVERIFY(std::find(locations.begin(), locations.end(), "samarkand") != locations.end());
    }

    void relations()
    {
        if (!haveWordNet())
            OOD_SKIP_WITHOUT_REFERENCE("WordNet 3.0 in /usr/share/wordnet (Debian package wordnet-base)");
        const WordNet &wn = *m_wordNet;
        auto at = [&](uint32_t offset) { return wn.synsetAt(PartOfSpeech::Noun, offset); };
        // index.noun: "dog n 7 ... 02084071 10114209 10023039 09886220 07676602 03901548 02710044".
        const std::vector<WordNet::SynsetId> dog = wn.synsets("dog", PartOfSpeech::Noun);
        QCOMPARE(dog.size(), size_t(7));
        QCOMPARE(dog.front(), at(2084071));
        QCOMPARE(dog.back(), at(2710044)); // andiron, firedog, dog, dog-iron
        QCOMPARE(wn.sense("dog", PartOfSpeech::Noun, 1), at(2084071));
        QCOMPARE(wn.synset(dog.front()).lexFile, 5); // noun.animal
        // 02084071 "~ 01322604": puppy; 01322604 "@ 01322343 @ 02084071".
        const std::vector<WordNet::SynsetId> below = wn.hyponyms(dog.front());
        QVERIFY(std::find(below.begin(), below.end(), at(1322604)) != below.end());
        QCOMPARE(wn.synset(at(1322604)).words.front(), std::string("puppy"));
        QCOMPARE(wn.hypernyms(at(1322604)), (std::vector<WordNet::SynsetId>{at(1322343), at(2084071)}));
        const std::vector<WordNet::SynsetId> dogDescendants = wn.descendants(dog.front());
        QVERIFY(std::find(dogDescendants.begin(), dogDescendants.end(), at(2113335)) !=
                dogDescendants.end()); // poodle
        // Every noun reaches entity (00001740).
        const std::vector<WordNet::SynsetId> above = wn.ancestors(at(1322604));
        QCOMPARE(above.front(), at(1322343));
        QVERIFY(std::find(above.begin(), above.end(), at(2084071)) != above.end());
        QVERIFY(std::find(above.begin(), above.end(), at(1740)) != above.end());

        // index.noun: "paris n 4 ... 08932568 12469372 09500217 09145751": the French capital
        // ("@i 08691669", national capital), the genus Paris, the Trojan prince, Paris, Texas.
        const std::vector<WordNet::SynsetId> paris = wn.synsets("Paris", PartOfSpeech::Noun);
        QCOMPARE(paris,
                 (std::vector<WordNet::SynsetId>{at(8932568), at(12469372), at(9500217), at(9145751)}));
        QVERIFY(wn.isInstance(paris[0]));
        QVERIFY(!wn.isInstance(paris[1]));
        QVERIFY(wn.isInstance(paris[2]));
        QVERIFY(wn.isInstance(paris[3]));
        QCOMPARE(wn.instanceHypernyms(paris[0]), std::vector<WordNet::SynsetId>{at(8691669)});
        QVERIFY(wn.hypernyms(paris[0]).empty());
        const std::vector<WordNet::SynsetId> capitals = wn.instanceHyponyms(at(8691669));
        QVERIFY(std::find(capitals.begin(), capitals.end(), paris[0]) != capitals.end());
        QVERIFY(wn.isTaxonomicName(paris[1]));
        QVERIFY(!wn.isTaxonomicName(paris[0]));

        // 11664301 genus_Ginkgo "@ 11554175" (gymnosperm genus) is a taxon; 11664418 ginkgo, the
        // tree ("@ 13108662"), is not; nor is dog.
        QVERIFY(wn.isTaxonomicName(wn.sense("genus ginkgo", PartOfSpeech::Noun)));
        QVERIFY(!wn.isTaxonomicName(wn.sense("ginkgo", PartOfSpeech::Noun)));
        QVERIFY(!wn.isTaxonomicName(dog.front()));

        // data.adj 03023450 "Parisian ... + 09708750 n 0101 + 08932568 n 0101 \ 08932568 n 0101".
        const WordNet::SynsetId parisian = wn.sense("parisian", PartOfSpeech::Adjective);
        QCOMPARE(parisian, wn.synsetAt(PartOfSpeech::Adjective, 3023450));
        QCOMPARE(wn.targets(parisian, "\\", 1), std::vector<WordNet::SynsetId>{paris[0]});
        QCOMPARE(wn.targets(parisian, "+", 1), (std::vector<WordNet::SynsetId>{at(9708750), paris[0]}));
        // 02084071 has no verb pointers; 03508101 heater "+ 00372958 v 0201": verbs are not loaded.
        QVERIFY(wn.targets(at(3508101), "+").empty());
        QCOMPARE(wn.synset(at(3508101)).pointers[1].pos, 'v');
        QCOMPARE(wn.synset(at(3508101)).pointers[1].target, WordNet::kNoSynset);
        QCOMPARE(wn.synset(at(3508101)).pointers[1].sourceWord, 2);
        QCOMPARE(wn.synset(at(3508101)).pointers[1].targetWord, 1);
    }

    void lookupForms()
    {
        if (!haveWordNet())
            OOD_SKIP_WITHOUT_REFERENCE("WordNet 3.0 in /usr/share/wordnet (Debian package wordnet-base)");
        const WordNet &wn = *m_wordNet;
        // 11937195 "tradescant's_aster"; NegRefine's cleaning drops the apostrophe.
        QCOMPARE(wn.synsets("tradescants aster", PartOfSpeech::Noun),
                 std::vector<WordNet::SynsetId>{wn.synsetAt(PartOfSpeech::Noun, 11937195)});
        QCOMPARE(wn.synsets("Tradescant's_aster", PartOfSpeech::Noun),
                 std::vector<WordNet::SynsetId>{wn.synsetAt(PartOfSpeech::Noun, 11937195)});
        // 03063338 "coffee_maker"; index.noun has no "coffeemaker".
        QCOMPARE(wn.synsets("coffeemaker", PartOfSpeech::Noun).front(),
                 wn.synsetAt(PartOfSpeech::Noun, 3063338));
        QVERIFY(wn.synsets("qwertyuiop", PartOfSpeech::Noun).empty());
        // noun.exc "geese goose", adj.exc "happier happy", morphy's "xes" -> "x"; "bigger" is an adjective
        // itself.
        QCOMPARE(wn.baseForm("geese", PartOfSpeech::Noun), std::string("goose"));
        QCOMPARE(wn.baseForm("boxes", PartOfSpeech::Noun), std::string("box"));
        QCOMPARE(wn.baseForm("Dogs", PartOfSpeech::Noun), std::string("dog"));
        QCOMPARE(wn.baseForm("happier", PartOfSpeech::Adjective), std::string("happy"));
        QCOMPARE(wn.baseForm("bigger", PartOfSpeech::Adjective), std::string("bigger"));
        QCOMPARE(wn.baseForm("greenest", PartOfSpeech::Adjective), std::string("green"));
        QCOMPARE(wn.baseForm("qwertyuiops", PartOfSpeech::Noun), std::string());
        QCOMPARE(WordNet::lemmaKey("  Large_Magellanic  Cloud "), std::string("large magellanic cloud"));
        QCOMPARE(WordNet::cleanedKey("Robert_E_Lee's_Birthday"), std::string("robert e lees birthday"));
        QCOMPARE(WordNet::cleanedKey("B-52"), std::string("b-"));
    }

    void tinyDatabaseWithoutIndex()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        writeFile(dir.filePath("data.noun"), kTinyNouns);
        writeFile(dir.filePath("data.adj"), kTinyAdjectives);
        const WordNet wn = WordNet::load(dir.path().toStdString());
        QCOMPARE(wn.synsetCount(), size_t(4));
        QCOMPARE(wn.lexFileNames(),
                 (std::vector<std::string>{"adj.pert", "noun.Tops", "noun.artifact", "noun.location"}));
        QCOMPARE(wn.firstLemmas("noun.Tops"), std::vector<std::string>{"thing"});
        QCOMPARE(wn.firstLemmas("adj.pert"), std::vector<std::string>{"gizmovillian"});
        const WordNet::SynsetId thing = wn.synsetAt(PartOfSpeech::Noun, 100),
                                widget = wn.synsetAt(PartOfSpeech::Noun, 200),
                                town = wn.synsetAt(PartOfSpeech::Noun, 300);
        QCOMPARE(wn.synset(thing).words, (std::vector<std::string>{"thing", "Big_Thing"}));
        QCOMPARE(wn.synset(thing).gloss, std::string("a thing"));
        QCOMPARE(wn.synsets("big thing", PartOfSpeech::Noun), std::vector<WordNet::SynsetId>{thing});
        QCOMPARE(wn.hyponyms(thing), std::vector<WordNet::SynsetId>{widget});
        QCOMPARE(wn.instanceHyponyms(thing), std::vector<WordNet::SynsetId>{town});
        QCOMPARE(wn.descendants(thing), (std::vector<WordNet::SynsetId>{widget, town}));
        QCOMPARE(wn.ancestors(town), std::vector<WordNet::SynsetId>{thing});
        QVERIFY(wn.isInstance(town));
        QVERIFY(!wn.isInstance(widget));
        QVERIFY(!wn.isTaxonomicName(widget)); // no taxonomic_group synset at all
        const WordNet::SynsetId adjective = wn.sense("gizmovillian", PartOfSpeech::Adjective);
        QCOMPARE(wn.targets(adjective, "\\"), std::vector<WordNet::SynsetId>{town});
        QCOMPARE(wn.targets(town, "+", 1), std::vector<WordNet::SynsetId>{adjective});
        QCOMPARE(wn.wordNumber(thing, "big thing"), 2);
        QCOMPARE(wn.baseForm("widgets", PartOfSpeech::Noun),
                 std::string("widget")); // no noun.exc: rules only
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("nouns");
        QTest::addColumn<QString>("expected");
        const QByteArray good = "00000100 03 n 01 thing 0 000 | a thing\n";
        QTest::newRow("word count") << good + "00000200 03 n 0x thing 0 000 | x\n"
                                    << "line 2: word count '0x'";
        QTest::newRow("too few words") << good + "00000200 03 n 03 thing 0 000 | x\n"
                                       << "line 2: fewer words";
        QTest::newRow("pointer count") << good + "00000200 03 n 01 thing 0 002 @ 00000100 n 0000 | x\n"
                                       << "line 2: the pointer count 2";
        QTest::newRow("dangling pointer")
            << good + "  licence\n00000200 03 n 01 thing 0 001 @ 00000999 n 0000 | x\n"
            << "line 3: pointer @ to offset 999";
        QTest::newRow("lexicographer file") << good + "00000200 45 n 01 thing 0 000 | x\n"
                                            << "line 2: lexicographer file number 45";
        QTest::newRow("type") << good + "00000200 03 a 01 thing 0 000 | x\n"
                              << "line 2: synset type 'a'";
        QTest::newRow("offset twice") << good + good << "line 2: synset offset 00000100 appears twice";
        QTest::newRow("source/target") << good + "00000200 03 n 01 thing 0 001 @ 00000100 n 0g00 | x\n"
                                       << "line 2: pointer source";
        QTest::newRow("short line") << QByteArray("garbage\n") << "line 1: expected offset";
    }

    void badInput()
    {
        QFETCH(QByteArray, nouns);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        writeFile(dir.filePath("data.noun"), nouns);
        writeFile(dir.filePath("data.adj"), "");
        const QString message = test::errorOf([&] { WordNet::load(dir.path().toStdString()); });
        QVERIFY2(message.contains(dir.filePath("data.noun")), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void missingFiles()
    {
        const QString missing = test::errorOf([] { WordNet::load("/nonexistent/wordnet"); });
        QVERIFY2(missing.contains("/nonexistent/wordnet") && missing.contains("wordnet-base"),
                 qPrintable(missing));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        writeFile(dir.filePath("data.noun"), kTinyNouns);
        const QString noAdjectives = test::errorOf([&] { WordNet::load(dir.path().toStdString()); });
        QVERIFY2(noAdjectives.contains(dir.filePath("data.adj")), qPrintable(noAdjectives));
        // An index line naming an offset the data file lacks.
        writeFile(dir.filePath("data.adj"), kTinyAdjectives);
        writeFile(dir.filePath("index.noun"), "thing n 1 1 ~ 1 0 00000777  \n");
        const QString badIndex = test::errorOf([&] { WordNet::load(dir.path().toStdString()); });
        QVERIFY2(badIndex.contains(dir.filePath("index.noun") + ", line 1") && badIndex.contains("00000777"),
                 qPrintable(badIndex));
    }
};

QTEST_GUILESS_MAIN(WordNetTest)
#include "wordnettest.moc"
