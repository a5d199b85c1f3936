// CLIP's tokenizer against the ids OpenAI's reference tokenizer (clip/simple_tokenizer.py) gives for
// 78,687 texts (shared/reference/clip/tokens.tsv), cases checked by hand against the merges file, and
// the errors for files that are not merges lists.

#include "text/cliptokenizer.h"

#include "base/error.h"
#include "support/errors.h"
#include "support/systempython.h"

#include <QtTest>

#include <zlib.h>

#include <optional>
#include <thread>

using namespace ood;

Q_DECLARE_METATYPE(std::vector<int64_t>)

namespace {

const QString kClipReferenceDir = QStringLiteral(OOD_SHARED_DIR "/reference/clip");

QString mergesPath()
{
    return kClipReferenceDir + "/bpe_simple_vocab_16e6.txt.gz";
}
QString tokensPath()
{
    return kClipReferenceDir + "/tokens.tsv";
}

struct ReferenceText
{
    std::string text;
    std::vector<int64_t> ids;
};

// tokens.tsv: '#' header lines, then "text<TAB>ids separated by spaces"; a literal "\t" in the text
// stands for a tab.
std::vector<ReferenceText> readReferenceTexts(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::vector<ReferenceText> texts;
    bool inHeader = true;
    while (!file.atEnd()) {
        QByteArray line = file.readLine();
        if (line.endsWith('\n'))
            line.chop(1);
        if (inHeader && line.startsWith('#'))
            continue;
        inHeader = false;
        const qsizetype tab = line.lastIndexOf('\t');
        if (tab < 0)
            return {};
        ReferenceText entry;
        entry.text = line.left(tab).replace("\\t", "\t").toStdString();
        for (const QByteArray &id : line.mid(tab + 1).split(' '))
            entry.ids.push_back(id.toLongLong());
        texts.push_back(std::move(entry));
    }
    return texts;
}

QString describe(const std::vector<int64_t> &ids)
{
    QStringList parts;
    for (const int64_t id : ids)
        parts << QString::number(id);
    return parts.join(' ');
}

std::string gunzip(const QString &path)
{
    gzFile file = gzopen(path.toLocal8Bit().constData(), "rb");
    std::string text;
    if (!file)
        return text;
    char chunk[1 << 16];
    int read = 0;
    while ((read = gzread(file, chunk, sizeof chunk)) > 0)
        text.append(chunk, size_t(read));
    gzclose(file);
    return text;
}

QByteArray gzipped(const QByteArray &data)
{
    z_stream stream{};
    constexpr int kGzipWindowBits = 15 + 16;
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(int(deflateBound(&stream, uLong(data.size()))), '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

} // namespace

class ClipTokenizerTest : public QObject
{
    Q_OBJECT

  private:
    std::optional<ClipTokenizer> tokenizer_;

    // The merges come with the shared reference data; without it there is nothing to tokenize with.
    bool haveMerges() const { return tokenizer_.has_value(); }

  private Q_SLOTS:
    void initTestCase()
    {
        if (QFileInfo(mergesPath()).isFile())
            tokenizer_.emplace(ClipTokenizer::fromMergesFile(mergesPath().toStdString()));
    }

    void vocabularySize()
    {
        if (!haveMerges())
            OOD_SKIP_WITHOUT_REFERENCE("shared/reference/clip/bpe_simple_vocab_16e6.txt.gz is missing");
        QCOMPARE(tokenizer_->vocabularySize(), int64_t(49408));
        QCOMPARE(ClipTokenizer::kStartOfText, int64_t(49406));
        QCOMPARE(ClipTokenizer::kEndOfText, int64_t(49407));
    }

    void matchesReferenceTokenizer()
    {
        if (!haveMerges() || !QFileInfo(tokensPath()).isFile())
            OOD_SKIP_WITHOUT_REFERENCE("shared/reference/clip (merges and tokens.tsv) is missing");
        const std::vector<ReferenceText> texts = readReferenceTexts(tokensPath());
        QCOMPARE(texts.size(), size_t(78687));

        // A tokenizer of its own, so that the timing starts with an empty word cache.
        const ClipTokenizer fresh = ClipTokenizer::fromMergesFile(mergesPath().toStdString());
        std::vector<std::vector<int64_t>> results(texts.size());
        QElapsedTimer timer;
        timer.start();
        for (size_t i = 0; i < texts.size(); ++i)
            results[i] = fresh.tokenize(texts[i].text);
        const double coldSeconds = timer.nsecsElapsed() * 1e-9;
        timer.restart();
        size_t tokens = 0;
        for (const ReferenceText &entry : texts)
            tokens += fresh.tokenize(entry.text).size();
        const double warmSeconds = timer.nsecsElapsed() * 1e-9;
        qInfo("%zu texts, %zu tokens: %.0f tokens/s with an empty cache at the start (%.3f s), %.0f tokens/s "
              "warm (%.3f s)",
              texts.size(), tokens, tokens / coldSeconds, coldSeconds, tokens / warmSeconds, warmSeconds);

        size_t mismatches = 0;
        QStringList shown;
        for (size_t i = 0; i < texts.size(); ++i) {
            if (results[i] == texts[i].ids)
                continue;
            if (++mismatches <= 5)
                shown << QStringLiteral("\"%1\": expected [%2], got [%3]")
                             .arg(QString::fromStdString(texts[i].text), describe(texts[i].ids),
                                  describe(results[i]));
        }
        QVERIFY2(mismatches == 0,
                 qPrintable(QStringLiteral("%1 of %2 texts differ from the reference; first: %3")
                                .arg(mismatches)
                                .arg(texts.size())
                                .arg(shown.join("; "))));
    }

    void handChecked_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<std::vector<int64_t>>("expected");
        // By hand from the merges file: a byte symbol's id is its place in the reference's byte
        // order (bytes 33..126 first, so 'a' is 97 - 33 = 64), +256 at the end of a word; the
        // merge on line L (line 1 is the header) has id 512 + L - 2 ("pho to</w>" on line 615 is
        // 1125, "o f</w>" on line 29 is 539, "c at</w>" on line 1858 is 2368).
        QTest::newRow("photo of a cat")
            << "a photo of a cat." << std::vector<int64_t>{49406, 320, 1125, 539, 320, 2368, 269, 49407};
        QTest::newRow("empty") << "" << std::vector<int64_t>{49406, 49407};
        QTest::newRow("whitespace only") << " \t\n  \r " << std::vector<int64_t>{49406, 49407};
        QTest::newRow("tab and space runs")
            << "  a\t\t   b \t" << std::vector<int64_t>{49406, 320, 321, 49407};
        QTest::newRow("upper case") << "A B" << std::vector<int64_t>{49406, 320, 321, 49407};
        // Digits are split one by one: '1' is 49 - 33 = 16, word-final 272.
        QTest::newRow("digits") << "1024" << std::vector<int64_t>{49406, 272, 271, 273, 275, 49407};
        // '&' is 38 - 33 = 5, '<' 27, '>' 29, 'x' 87 (word-final: +256).
        QTest::newRow("entity amp") << "&amp;" << std::vector<int64_t>{49406, 261, 49407};
        QTest::newRow("entity unescaped twice") << "&amp;lt;" << std::vector<int64_t>{49406, 283, 49407};
        QTest::newRow("numeric references") << "&#60; &#x3E;" << std::vector<int64_t>{49406, 283, 285, 49407};
        QTest::newRow("legacy entity without ;") << "&lt" << std::vector<int64_t>{49406, 283, 49407};
        QTest::newRow("longest legacy prefix") << "&ampx" << std::vector<int64_t>{49406, 261, 343, 49407};
        QTest::newRow("nbsp is whitespace")
            << "&nbsp;a&nbsp;&nbsp;b " << std::vector<int64_t>{49406, 320, 321, 49407};
        QTest::newRow("start token inline") << "<|startoftext|>" << std::vector<int64_t>{49406, 49406, 49407};
        QTest::newRow("end token inline") << "<|endoftext|>" << std::vector<int64_t>{49406, 49407, 49407};
        // Rows of tokens.tsv, the reference tokenizer's output, kept here so that a failure names them.
        QTest::newRow("reference: spaces and tabs")
            << "  many   spaces\tand\ttabs " << std::vector<int64_t>{49406, 1346, 9006, 537, 29163, 49407};
        QTest::newRow("reference: entities")
            << "HTML &amp; entities &lt;b&gt;"
            << std::vector<int64_t>{49406, 18231, 261, 38134, 283, 321, 285, 49407};
        QTest::newRow("reference: contractions")
            << "we'll see; they've said: \"no!\""
            << std::vector<int64_t>{49406, 649, 1342, 862, 282, 889, 1200, 1946, 281, 257, 871, 2947, 49407};
        QTest::newRow("reference: CJK")
            << "漢字 kanji" << std::vector<int64_t>{49406, 162, 120, 95, 35751, 501, 2532, 2697, 49407};
    }

    void handChecked()
    {
        if (!haveMerges())
            OOD_SKIP_WITHOUT_REFERENCE("shared/reference/clip/bpe_simple_vocab_16e6.txt.gz is missing");
        QFETCH(QString, text);
        QFETCH(std::vector<int64_t>, expected);
        const std::vector<int64_t> ids = tokenizer_->tokenize(text.toStdString());
        QVERIFY2(ids == expected,
                 qPrintable("got [" + describe(ids) + "], expected [" + describe(expected) + "]"));
        const std::vector<int64_t> withoutSpecials(expected.begin() + 1, expected.end() - 1);
        QVERIFY(tokenizer_->encode(text.toStdString()) == withoutSpecials);
    }

    void plainMergesFileAndText()
    {
        if (!haveMerges())
            OOD_SKIP_WITHOUT_REFERENCE("shared/reference/clip/bpe_simple_vocab_16e6.txt.gz is missing");
        const std::string merges = gunzip(mergesPath());
        QCOMPARE(tokenizer_->merges(), merges);
        QTemporaryDir dir;
        const QString plainPath = dir.filePath("merges.txt");
        QFile plain(plainPath);
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.write(merges.data(), qint64(merges.size()));
        plain.close();
        const ClipTokenizer fromPlainFile = ClipTokenizer::fromMergesFile(plainPath.toStdString());
        const ClipTokenizer fromText = ClipTokenizer::fromMerges(merges);
        const std::vector<int64_t> expected{49406, 320, 1125, 539, 320, 2368, 269, 49407};
        QVERIFY(fromPlainFile.tokenize("a photo of a cat.") == expected);
        QVERIFY(fromText.tokenize("a photo of a cat.") == expected);
    }

    void concurrentEncodingAgrees()
    {
        if (!haveMerges() || !QFileInfo(tokensPath()).isFile())
            OOD_SKIP_WITHOUT_REFERENCE("shared/reference/clip (merges and tokens.tsv) is missing");
        const std::vector<ReferenceText> texts = readReferenceTexts(tokensPath());
        QVERIFY(!texts.empty());
        // Threads share one tokenizer with an empty cache and take interleaved texts, so that they
        // fill and read the cache at the same time.
        const ClipTokenizer shared = ClipTokenizer::fromMergesFile(mergesPath().toStdString());
        constexpr size_t kThreads = 4;
        std::vector<size_t> mismatches(kThreads, 0);
        std::vector<std::thread> threads;
        for (size_t t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (size_t i = t; i < texts.size(); i += kThreads)
                    if (shared.tokenize(texts[i].text) != texts[i].ids)
                        ++mismatches[t];
            });
        for (std::thread &thread : threads)
            thread.join();
        for (size_t t = 0; t < kThreads; ++t)
            QCOMPARE(mismatches[t], size_t(0));
    }

    void missingFileNamesIt()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("no-such-merges.txt.gz").toStdString();
        const QString message = test::errorOf([&] { ClipTokenizer::fromMergesFile(path); });
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    }

    void notAMergesList_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << QByteArray() << "only 0 of the 48894 merges";
        QTest::newRow("short") << QByteArray("#version: 0.2\ni n\nt h\n") << "only 2 of the 48894 merges";
        QByteArray prose = "#version: 0.2\n";
        for (int i = 0; i < 50000; ++i)
            prose += "this line has more than two words\n";
        QTest::newRow("prose") << prose << "line 2";
        // The right shape, but "x y" joins symbols that no earlier line made.
        // A gzip stream cut short reads like a short file unless the reader asks zlib how it ended.
        QByteArray manyLines = "#version: 0.2\n";
        for (int i = 0; i < 20000; ++i)
            manyLines += "i n\n";
        const QByteArray compressed = gzipped(manyLines);
        QTest::newRow("truncated gzip")
            << compressed.left(compressed.size() - 12) << "unexpected end of file";
        QTest::newRow("unknown symbol") << QByteArray("#version: 0.2\ni n\nin g</w>\nxyz w\n") << "line 4";
    }

    void notAMergesList()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString path = dir.filePath("not-merges.txt");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
        file.close();
        const QString message = test::errorOf([&] { ClipTokenizer::fromMergesFile(path.toStdString()); });
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(says), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(ClipTokenizerTest)
#include "cliptokenizertest.moc"
