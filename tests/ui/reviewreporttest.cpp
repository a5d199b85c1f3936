// The review report: what the HTML page says about flagged frames and only about them, escaping
// of every name, RFC 4180 quoting of the scores CSV (read back with a parser written here), PDF
// pages that grow with the flagged frames and carry their pictures, and the file rules (atomic,
// no silent overwrite, clear errors).

#include "reviewreport/reviewreport.h"

#include "base/error.h"
#include "detect/detectorwords.h"
#include "pipeline/verdict.h"
#include "report/html.h"
#include "report/intendeduse.h"

#include <QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace ood;

namespace {

// Names that break HTML and CSV alike, and their HTML escapes written out by hand.
const QString kNastyName = QStringLiteral("a<b> & \"c\" 'd'.png");
const QString kNastyNameHtml = QStringLiteral("a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;.png");
const QString kCommaPath = QStringLiteral("/data/run 1/polyp,large \"x\".png");
const QString kNote = QStringLiteral("bleeding at <12 o'clock>\nsecond look & biopsy");
const QString kNoteHtml = QStringLiteral("bleeding at &lt;12 o&#39;clock&gt;<br>second look &amp; biopsy");
const QString kModelSha = QStringLiteral("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
const QString kProfileSha =
    QStringLiteral("2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");

QImage solid(int w, int h, QColor color)
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(color);
    return image;
}

FrameRecord record(const QString &path, const QString &name, std::vector<double> scores, int flaggedBy)
{
    FrameRecord r;
    r.path = path;
    r.displayName = name;
    r.scored = true;
    r.prediction = 1;
    r.confidence = 0.8125;
    r.scores = std::move(scores);
    r.flaggedBy = flaggedBy;
    r.flagged = flaggedBy > 0; // the sample's rule: any one detector (see sample())
    return r;
}

/// Thresholds 0.123456789 (energy) and 2.5 (nero). `flagged` flagged frames with distinct
/// pictures (the second has no heatmap), one calm frame, one frame that failed.
ReviewReportData sample(int flagged)
{
    ReviewReportData data;
    data.title = QStringLiteral("Colonoscopy <list> & co");
    data.created = QDateTime(QDate(2026, 3, 4), QTime(5, 6, 7), Qt::UTC);
    data.reviewer = QStringLiteral("Dr. O'Neil");
    data.architecture = QStringLiteral("resnet18");
    data.modelPath = QStringLiteral("/models/kvasir.pt");
    data.modelSha256 = kModelSha;
    data.classNames = {QStringLiteral("normal"), QStringLiteral("polyp")};
    data.inputWidth = 224;
    data.inputHeight = 224;
    data.profilePath = QStringLiteral("/models/kvasir.oodprofile");
    data.profileSha256 = kProfileSha;
    ReviewReportDetector energy;
    energy.id = QStringLiteral("energy");
    energy.displayName = QStringLiteral("Energy");
    energy.threshold = 0.123456789;
    ReviewReportDetector nero;
    nero.id = QStringLiteral("nero");
    nero.displayName = QStringLiteral("NERO <relevance>");
    nero.threshold = 2.5;
    nero.auroc = 0.93;
    nero.fpr95 = 0.25;
    data.detectors = {energy, nero};
    data.verdict.minFlags = 1;
    data.verdict.falseAlarmRate = 0.05;
    data.verdict.validationFrames = 400;
    data.enabledDetectors = 2;

    for (int i = 0; i < flagged; ++i) {
        ReviewReportFrame f;
        const QString name = i == 0 ? kNastyName : QStringLiteral("flagged_%1.png").arg(i);
        f.record = record(i == 1 ? kCommaPath : QStringLiteral("/data/") + name, name, {1.0 + i, 3.0}, 2);
        f.record.mark =
            i == 0 ? ReviewMark::ConfirmedUnusual : (i == 1 ? ReviewMark::FalseAlarm : ReviewMark::None);
        f.record.note = i == 0 ? kNote : QString();
        f.thumbnail = solid(320, 240, QColor::fromHsv((i * 37) % 360, 200, 200));
        if (i != 1)
            f.heatmap = solid(320, 240, QColor::fromHsv((i * 37 + 180) % 360, 255, 255));
        data.frames.push_back(f);
    }
    ReviewReportFrame calm;
    calm.record =
        record(QStringLiteral("/data/calm_frame.png"), QStringLiteral("calm_frame.png"), {-0.5, 1.25}, 0);
    calm.record.note = QStringLiteral("looked at it anyway");
    data.frames.push_back(calm);
    ReviewReportFrame failed;
    failed.record.path = QStringLiteral("/data/broken.png");
    failed.record.displayName = QStringLiteral("broken.png");
    failed.record.error = QStringLiteral("not an image");
    failed.record.scores = {std::nan(""), std::nan("")};
    data.frames.push_back(failed);
    return data;
}

/// RFC 4180 reader, independent of the writer: quoted fields may hold commas, CRLF, LF and "".
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row << field;
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            row << field;
            field.clear();
            rows << row;
            row.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty())
        rows << (row << field);
    return rows;
}

QString section(const QString &html, const QString &id)
{
    const int begin = html.indexOf(QStringLiteral("<section id=\"%1\">").arg(id));
    const int end = html.indexOf(QStringLiteral("</section>"), begin);
    return begin < 0 || end < 0 ? QString() : html.mid(begin, end - begin);
}

/// Page objects of a PDF: "/Type /Page" but not "/Type /Pages".
int pdfPages(const QByteArray &pdf)
{
    int pages = 0;
    for (int at = pdf.indexOf("/Type /Page"); at >= 0; at = pdf.indexOf("/Type /Page", at + 1))
        if (pdf.mid(at + 11, 1) != "s")
            ++pages;
    return pages;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

using Writer = void (*)(const QString &, const ReviewReportData &, bool);
const Writer kWriters[] = {&writeReviewReportHtml, &writeReviewReportPdf, &writeScoresCsv};

} // namespace

class ReviewReportTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void countsFollowTheFrames()
    {
        const ReviewReportCounts c = sample(3).counts();
        QCOMPARE(c.frames, 5);
        QCOMPARE(c.scored, 4);
        QCOMPARE(c.failed, 1);
        QCOMPARE(c.pending, 0);
        QCOMPARE(c.flagged, 3);
        QCOMPARE(c.confirmedUnusual, 1);
        QCOMPARE(c.falseAlarm, 1);
        QCOMPARE(c.unsure, 0);
        QCOMPARE(c.flaggedUnreviewed, 1);
    }

    void htmlNamesEveryFlaggedFrameEscaped()
    {
        const ReviewReportData data = sample(3);
        const QString html = QString::fromUtf8(reviewReportHtml(data));
        const QString flagged = section(html, QStringLiteral("flagged"));
        QVERIFY(!flagged.isEmpty());

        QVERIFY(flagged.contains(kNastyNameHtml));
        QVERIFY(flagged.contains(QStringLiteral("flagged_1.png")));
        QVERIFY(flagged.contains(QStringLiteral("flagged_2.png")));
        QVERIFY(!html.contains(kNastyName)); // never raw
        QVERIFY(flagged.contains(QStringLiteral("/data/run 1/polyp,large &quot;x&quot;.png")));
        QVERIFY(flagged.contains(QStringLiteral("confirmed unusual")));
        QVERIFY(flagged.contains(QStringLiteral("false alarm")));
        QVERIFY(flagged.contains(QStringLiteral("not reviewed")));
        QVERIFY(flagged.contains(kNoteHtml));
        QCOMPARE(flagged.count(QStringLiteral("<div class=\"frame\">")), 3);
        // Three thumbnails and two heatmaps embedded; the missing heatmap is said to be missing.
        QCOMPARE(flagged.count(QStringLiteral("src=\"data:image/")), 5);
        QCOMPARE(flagged.count(QStringLiteral("Heatmap not available")), 1);

        // The calm frame and the failed one are not in the flagged section.
        QVERIFY(!flagged.contains(QStringLiteral("calm_frame")));
        QVERIFY(!flagged.contains(QStringLiteral("looked at it anyway")));
        QVERIFY(!flagged.contains(QStringLiteral("broken.png")));
        QVERIFY(section(html, QStringLiteral("failed")).contains(QStringLiteral("not an image")));

        // Identity and thresholds: hashes, files, 0.123456789 to six significant digits.
        const QString model = section(html, QStringLiteral("model"));
        QVERIFY(model.contains(kModelSha));
        QVERIFY(model.contains(kProfileSha));
        QVERIFY(model.contains(QStringLiteral("/models/kvasir.oodprofile")));
        QVERIFY(model.contains(QStringLiteral("224 \u00d7 224")));
        const QString detectors = section(html, QStringLiteral("detectors"));
        QVERIFY(detectors.contains(QStringLiteral(">0.123457<")));
        QVERIFY(detectors.contains(QStringLiteral(">2.5<")));
        QVERIFY(detectors.contains(QStringLiteral("NERO &lt;relevance&gt;")));
        QVERIFY(detectors.contains(QStringLiteral(">93.0 %<"))); // AUROC of nero
        QVERIFY(detectors.contains(QStringLiteral(">25.0 %<"))); // FPR@95 of nero
        QVERIFY(detectors.contains(QStringLiteral(">\u2014<"))); // energy has no labels
        QVERIFY(html.contains(QStringLiteral("Colonoscopy &lt;list&gt; &amp; co")));
        QVERIFY(html.contains(QStringLiteral("Dr. O&#39;Neil")));
        QVERIFY(html.contains(QStringLiteral("2026-03-04 05:06:07 UTC")));
        // Self-contained: nothing fetched, nothing run.
        QVERIFY(!html.contains(QStringLiteral("<script")));
        QVERIFY(!html.contains(QStringLiteral("src=\"http")));
        QVERIFY(!html.contains(QStringLiteral("href=")));
    }

    void verdictLeadsTheReport()
    {
        const ReviewReportData data = sample(3);
        const QString html = QString::fromUtf8(reviewReportHtml(data));
        // The verdict is the first section, before the summary and the technical parts.
        const int verdictAt = html.indexOf(QStringLiteral("<section id=\"verdict\">"));
        QVERIFY(verdictAt >= 0);
        QVERIFY(verdictAt < html.indexOf(QStringLiteral("<section id=\"summary\">")));
        QVERIFY(verdictAt < html.indexOf(QStringLiteral("<section id=\"detectors\">")));
        const QString verdict = section(html, QStringLiteral("verdict"));
        // Three flagged frames and one calm one are scored; the failed frame is neither.
        QVERIFY(verdict.contains(htmlEscape(verdictWords(true))));
        QVERIFY(verdict.contains(htmlEscape(verdictWords(false))));
        QVERIFY2(verdict.contains(QStringLiteral(">3 of 4 scored frames<")), qPrintable(verdict));
        QVERIFY(verdict.contains(QStringLiteral(">1 of 4 scored frames<")));
        // How it is made (any one of the two detectors) and its false-alarm rate (1 in 20).
        QVERIFY(verdict.contains(htmlEscape(verdictRuleWords(data.verdict, 2))));
        QVERIFY(verdict.contains(htmlEscape(falseAlarmWords(0.05))));
        QVERIFY(verdict.contains(QStringLiteral("400 normal frames")));
        // What the program is not for, emphasised.
        QVERIFY(!intendedUseStatement().isEmpty());
        QVERIFY(verdict.contains(QStringLiteral("<p class=\"strong\">Intended use: ") +
                                 htmlEscape(intendedUseStatement())));
    }

    void verdictNotFlagCountDecides()
    {
        // A rule of "at least 2 of 2": a frame that one detector flags is not unusual.
        ReviewReportData data = sample(1);
        data.verdict.minFlags = 2;
        ReviewReportFrame oneFlag;
        oneFlag.record =
            record(QStringLiteral("/data/one_flag.png"), QStringLiteral("one_flag.png"), {5.0, 1.0}, 1);
        oneFlag.record.flagged = false;
        data.frames.push_back(oneFlag);
        const ReviewReportCounts c = data.counts();
        QCOMPARE(c.flagged, 1);
        QCOMPARE(c.nothingUnusual, 2); // the calm frame and this one
        const QString html = QString::fromUtf8(reviewReportHtml(data));
        QVERIFY(!section(html, QStringLiteral("flagged")).contains(QStringLiteral("one_flag.png")));
        QVERIFY(section(html, QStringLiteral("verdict")).contains(QStringLiteral(">2 of 3 scored frames<")));
        const QList<QStringList> rows = parseCsv(QString::fromUtf8(scoresCsv(data)));
        QCOMPARE(rows.last()[6], QStringLiteral("0"));      // not unusual
        QCOMPARE(rows.last()[7], QStringLiteral("energy")); // though energy is over its threshold
    }

    void reviewerAndPlainNamesArePrinted()
    {
        ReviewReportData data = sample(1);
        QString html = QString::fromUtf8(reviewReportHtml(data));
        QVERIFY(section(html, QStringLiteral("summary")).contains(QStringLiteral(">Dr. O&#39;Neil<")));
        data.reviewer.clear();
        html = QString::fromUtf8(reviewReportHtml(data));
        QVERIFY(section(html, QStringLiteral("summary")).contains(QStringLiteral(">not given<")));

        // Each detector by its plain name with its one-line description; the technical name beside.
        const QString detectors = section(html, QStringLiteral("detectors"));
        const QString flagged = section(html, QStringLiteral("flagged"));
        for (const QString id : {QStringLiteral("energy"), QStringLiteral("nero")}) {
            const DetectorWords words = detectorWords(id);
            QVERIFY2(words.plainName != id && !words.description.isEmpty(), qPrintable(id));
            QVERIFY2(detectors.contains(QLatin1Char('>') + htmlEscape(words.plainName) + QLatin1Char('<')),
                     qPrintable(id));
            QVERIFY2(detectors.contains(htmlEscape(words.description)), qPrintable(id));
            // Both detectors flag the sample's frame: named in words there too.
            QVERIFY2(flagged.contains(htmlEscape(words.plainName)), qPrintable(id));
        }
        QVERIFY(detectors.contains(QStringLiteral("NERO &lt;relevance&gt; (nero)")));
        // An id the words do not know keeps its own name.
        data.detectors[1].id = QStringLiteral("made-up");
        html = QString::fromUtf8(reviewReportHtml(data));
        QVERIFY(
            section(html, QStringLiteral("detectors")).contains(QStringLiteral(">NERO &lt;relevance&gt;<")));
    }

    void htmlSaysWhenNothingIsFlagged()
    {
        const QString html = QString::fromUtf8(reviewReportHtml(sample(0)));
        const QString flagged = section(html, QStringLiteral("flagged"));
        QVERIFY(flagged.contains(QStringLiteral("No frame is unusual for this model.")));
        QVERIFY(!flagged.contains(QStringLiteral("<div class=\"frame\">")));
    }

    void csvHasOneQuotedRowPerFrame()
    {
        const ReviewReportData data = sample(2);
        const QByteArray bytes = scoresCsv(data);
        // The raw quoting of the comma-and-quote path and the note with a line break.
        QVERIFY(bytes.contains("\"/data/run 1/polyp,large \"\"x\"\".png\""));
        QVERIFY(bytes.contains("\"bleeding at <12 o'clock>\nsecond look & biopsy\""));

        const QList<QStringList> rows = parseCsv(QString::fromUtf8(bytes));
        QCOMPARE(rows.size(), 1 + static_cast<int>(data.frames.size()));
        QCOMPARE(rows[0], QStringList({"path", "frame", "prediction", "confidence", "energy", "nero",
                                       "unusual", "flagged_by", "mark", "note", "error"}));
        for (const QStringList &row : rows)
            QCOMPARE(row.size(), 11);
        QCOMPARE(rows[1][0], QStringLiteral("/data/") + kNastyName);
        QCOMPARE(rows[1][2], QStringLiteral("polyp"));
        QCOMPARE(rows[1][3].toDouble(), 0.8125);
        QCOMPARE(rows[1][4].toDouble(), 1.0);
        QCOMPARE(rows[1][6], QStringLiteral("1"));
        QCOMPARE(rows[1][7], QStringLiteral("energy;nero"));
        QCOMPARE(rows[1][8], QStringLiteral("confirmed-unusual"));
        QCOMPARE(rows[1][9], kNote);
        QCOMPARE(rows[2][0], kCommaPath);
        QCOMPARE(rows[2][8], QStringLiteral("false-alarm"));
        // The calm frame: below both thresholds, exact scores read back, its note kept.
        QCOMPARE(rows[3][4].toDouble(), -0.5);
        QCOMPARE(rows[3][5].toDouble(), 1.25);
        QCOMPARE(rows[3][6], QStringLiteral("0"));
        QCOMPARE(rows[3][7], QString());
        QCOMPARE(rows[3][9], QStringLiteral("looked at it anyway"));
        // The failed frame: no prediction, no scores, no verdict, the reason.
        QCOMPARE(rows[4][2], QString());
        QCOMPARE(rows[4][4], QString());
        QCOMPARE(rows[4][6], QString());
        QCOMPARE(rows[4][10], QStringLiteral("not an image"));
    }

    void csvScoresReadBackExactly()
    {
        ReviewReportData data = sample(0);
        data.frames[0].record.scores = {0.1 + 0.2, -1.0 / 3.0};
        data.frames[0].record.flaggedBy = 1; // 0.30000000000000004 exceeds the energy threshold
        data.frames[0].record.flagged = true;
        const QList<QStringList> rows = parseCsv(QString::fromUtf8(scoresCsv(data)));
        QCOMPARE(rows[1][4].toDouble(), 0.1 + 0.2);
        QCOMPARE(rows[1][5].toDouble(), -1.0 / 3.0);
    }

    void pdfPagesGrowWithFlaggedFrames()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        int previous = 0;
        for (int flagged : {1, 12}) {
            const ReviewReportData data = sample(flagged);
            const QString path = dir.filePath(QStringLiteral("r%1.pdf").arg(flagged));
            writeReviewReportPdf(path, data, false);
            const QByteArray pdf = readAll(path);
            QVERIFY(pdf.startsWith("%PDF-"));
            QVERIFY(pdf.trimmed().endsWith("%%EOF"));
            const int pages = pdfPages(pdf);
            QVERIFY2(pages > previous,
                     qPrintable(QStringLiteral("%1 pages for %2 flagged").arg(pages).arg(flagged)));
            qInfo("%d flagged frames: %d PDF pages, %lld bytes", flagged, pages,
                  static_cast<long long>(pdf.size()));
            previous = pages;
            // One image object per picture that exists (frame 1 has no heatmap).
            const int pictures = 2 * flagged - (flagged > 1 ? 1 : 0);
            QCOMPARE(static_cast<int>(pdf.count("/Subtype /Image")), pictures);
            // The preview paginates the same A4 layout: its last page is the PDF's last page.
            QVERIFY(!reviewReportPageImage(data, pages - 1, 24).isNull());
            QVERIFY_THROWS_EXCEPTION(Error, reviewReportPageImage(data, pages, 24));
        }
        QVERIFY(previous >= 4); // twelve frames with two pictures each do not fit on a few pages
    }

    void previewPageShowsThePage()
    {
        const ReviewReportData data = sample(3);
        const QImage page = reviewReportPageImage(data, 0, 96);
        QCOMPARE(page.size(), QSize(794, 1123)); // A4 at 96 dpi
        int ink = 0;
        for (int y = 0; y < page.height(); y += 4)
            for (int x = 0; x < page.width(); x += 4)
                ink += qGray(page.pixel(x, y)) < 128 ? 1 : 0;
        QVERIFY(ink > 100);
        // For a look by eye: OOD_REPORT_PREVIEW_DIR=/some/dir saves every page and the files.
        const QString out = qEnvironmentVariable("OOD_REPORT_PREVIEW_DIR");
        if (!out.isEmpty()) {
            QDir().mkpath(out);
            for (int i = 0;; ++i) {
                try {
                    reviewReportPageImage(data, i, 96)
                        .save(QDir(out).filePath(QStringLiteral("page%1.png").arg(i + 1)));
                } catch (const Error &) {
                    break;
                }
            }
            writeReviewReportHtml(QDir(out).filePath("report.html"), data, true);
            writeReviewReportPdf(QDir(out).filePath("report.pdf"), data, true);
            writeScoresCsv(QDir(out).filePath("scores.csv"), data, true);
        }
    }

    void writersRefuseToOverwrite_data()
    {
        QTest::addColumn<int>("writer");
        QTest::addColumn<QString>("name");
        QTest::newRow("html") << 0 << QStringLiteral("r.html");
        QTest::newRow("pdf") << 1 << QStringLiteral("r.pdf");
        QTest::newRow("csv") << 2 << QStringLiteral("r.csv");
    }

    void writersRefuseToOverwrite()
    {
        QFETCH(int, writer);
        QFETCH(QString, name);
        const Writer write = kWriters[writer];
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("keep me");
        }
        try {
            write(path, sample(1), false);
            QFAIL("an existing file was replaced without consent");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("exists")), e.what());
        }
        QCOMPARE(readAll(path), QByteArray("keep me"));
        write(path, sample(1), true);
        QVERIFY(readAll(path) != QByteArray("keep me"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList({name})); // no temporary left behind
    }

    void unwritablePlacesGiveClearErrors_data()
    {
        QTest::addColumn<QString>("where");
        QTest::newRow("missing folder") << QStringLiteral("no/such/folder/r.csv");
        QTest::newRow("file as folder") << QStringLiteral("plain.txt/r.csv");
        QTest::newRow("a folder") << QStringLiteral("sub");
    }

    void unwritablePlacesGiveClearErrors()
    {
        QFETCH(QString, where);
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("sub")));
        QFile plain(dir.filePath(QStringLiteral("plain.txt")));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        const QString path = dir.filePath(where);
        for (Writer write : kWriters) {
            try {
                write(path, sample(1), true);
                QFAIL("wrote into an impossible place");
            } catch (const Error &e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains(path), e.what());
            }
        }
    }

    void manyDetectorsSplitTheScoresTable()
    {
        ReviewReportData data = sample(1);
        const ReviewReportDetector extra = data.detectors[1]; // threshold 2.5; the frame scores 3
        for (int i = 0; i < 6; ++i) {
            ReviewReportDetector d = extra;
            d.id = QStringLiteral("extra%1").arg(i);
            data.detectors.push_back(d);
        }
        for (ReviewReportFrame &f : data.frames)
            if (f.record.scored)
                f.record.scores.resize(data.detectors.size(), 0.0);
        std::fill(data.frames[0].record.scores.begin() + 2, data.frames[0].record.scores.end(), 3.0);
        data.frames[0].record.flaggedBy = 8;
        const QString flagged = section(QString::fromUtf8(reviewReportHtml(data)), QStringLiteral("flagged"));
        QCOMPARE(flagged.count(QStringLiteral("<thead>")), 2); // six detectors, then two
        QVERIFY(flagged.contains(QStringLiteral("8 of 8")));
        QVERIFY(!reviewReportPageImage(data, 1, 24).isNull());
    }

    void inconsistentRecordsAreRefused()
    {
        ReviewReportData wrongCount = sample(1);
        wrongCount.frames[0].record.scores.pop_back();
        QVERIFY_THROWS_EXCEPTION(Error, reviewReportHtml(wrongCount));
        QVERIFY_THROWS_EXCEPTION(Error, scoresCsv(wrongCount));

        ReviewReportData wrongFlags = sample(1);
        wrongFlags.frames[0].record.flaggedBy = 1; // both scores exceed their thresholds
        QVERIFY_THROWS_EXCEPTION(Error, reviewReportHtml(wrongFlags));
    }
};

QTEST_MAIN(ReviewReportTest)
#include "reviewreporttest.moc"
