#include "reviewreport/reviewreport.h"
#include "reviewreport/reviewreportmodel.h"

#include "report/csv.h"
#include "review/reviewmark.h"

#include <QTextStream>

#include <cmath>

namespace ood {

using namespace reviewreport;

namespace {

QString csvNumber(double value)
{
    return std::isnan(value) ? QString() : QString::number(value, 'g', 17);
}

} // namespace

QByteArray scoresCsv(const ReviewReportData &data)
{
    validate(data);
    QString text;
    QTextStream out(&text);
    // Column names are keys for programs reading the file, not prose: not translated.
    out << "path,frame,prediction,confidence";
    for (const ReviewReportDetector &d : data.detectors)
        out << ',' << csvField(d.id);
    out << ",unusual,flagged_by,mark,note,error\r\n";
    for (const ReviewReportFrame &frame : data.frames) {
        const FrameRecord &r = frame.record;
        const bool scored = r.scored && r.error.isEmpty();
        out << csvField(r.path) << ',' << (r.videoFrame >= 0 ? QString::number(r.videoFrame) : QString())
            << ',' << csvField(predictionName(data, r)) << ','
            << (scored ? csvNumber(r.confidence) : QString());
        QStringList by;
        for (size_t d = 0; d < data.detectors.size(); ++d) {
            const double score = scored && d < r.scores.size() ? r.scores[d] : std::nan("");
            out << ',' << csvNumber(score);
            if (exceeds(data.detectors[d], score))
                by << data.detectors[d].id;
        }
        out << ',' << (scored ? QString::number(r.isFlagged() ? 1 : 0) : QString()) << ','
            << csvField(by.join(QLatin1Char(';'))) << ',' << reviewMarkKey(r.mark) << ',' << csvField(r.note)
            << ',' << csvField(r.error) << "\r\n";
    }
    out.flush();
    return text.toUtf8();
}

void writeScoresCsv(const QString &path, const ReviewReportData &data, bool overwrite)
{
    saveFile(path, scoresCsv(data), overwrite);
}

} // namespace ood
