#include "reviewreport/reviewreport.h"
#include "reviewreport/reviewreportmodel.h"

#include "base/error.h"
#include "base/version.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFont>
#include <QFontDatabase>
#include <QPageLayout>
#include <QPageSize>
#include <QPagedPaintDevice>
#include <QPainter>
#include <QPdfWriter>
#include <QTextLayout>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

namespace ood {

using namespace reviewreport;

namespace {

// Printed pages. Laid out in units of 1/720 inch (a tenth of a point) whatever the device, with
// pixel-sized unhinted fonts, so that the PDF, a printer and a preview image break the pages at
// the same places. Content is a list of items of known height; a page break falls between items,
// never inside one, and an item marked keepWithNext moves to the next page with its successor.

constexpr double kUnitsPerInch = 720.0;
constexpr double kMargin = 15.0 / 25.4 * kUnitsPerInch;
constexpr double kFooterHeight = 220.0;
constexpr double kPad = 24.0;
const QColor kBorder(0xbb, 0xbb, 0xbb);

struct Fonts
{
    QFont body, bold, mono, small, h1, h2, h3;
    Fonts()
    {
        auto make = [](QFont f, int size, bool boldFace) {
            f.setPixelSize(size);
            f.setBold(boldFace);
            f.setHintingPreference(QFont::PreferNoHinting);
            return f;
        };
        const QFont sans = QFontDatabase::systemFont(QFontDatabase::GeneralFont);
        const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        body = make(sans, 88, false);
        bold = make(sans, 88, true);
        mono = make(fixed, 80, false);
        small = make(sans, 76, false);
        h1 = make(sans, 170, true);
        h2 = make(sans, 128, true);
        h3 = make(sans, 104, true);
    }
};

struct Item
{
    double height = 0;
    double spaceBefore = 0;
    bool keepWithNext = false;
    int header = -1; ///< the table header to repeat when this row opens a page
    std::function<void(QPainter &, QPointF)> draw;
};

using Layout = std::shared_ptr<QTextLayout>;

Layout layoutText(QString text, const QFont &font, double width, Qt::Alignment align, double *height)
{
    text.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    text.replace(QLatin1Char('\n'), QChar::LineSeparator);
    auto layout = std::make_shared<QTextLayout>(text, font);
    QTextOption option(align);
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    option.setUseDesignMetrics(true);
    layout->setTextOption(option);
    layout->beginLayout();
    double y = 0;
    for (;;) {
        QTextLine line = layout->createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(width);
        line.setPosition(QPointF(0, y));
        y += line.height();
    }
    layout->endLayout();
    *height = y;
    return layout;
}

class ItemBuilder
{
  public:
    ItemBuilder(double width) : width_(width) {}

    std::vector<Item> items;

    /// One item per line, so long paragraphs (a reviewer's note) flow across pages.
    void paragraph(const QString &text, const QFont &font, double spaceBefore, bool keepWithNext = false,
                   const QColor &color = Qt::black, bool rule = false)
    {
        double h = 0;
        Layout layout = layoutText(text, font, width_, Qt::AlignLeft, &h);
        const double width = width_;
        for (int i = 0; i < layout->lineCount(); ++i) {
            const QTextLine line = layout->lineAt(i);
            Item item;
            item.height = line.height();
            item.spaceBefore = i == 0 ? spaceBefore : 0;
            item.keepWithNext = keepWithNext || i + 1 < std::min(layout->lineCount(), 2);
            const bool drawRule = rule && i == 0;
            item.draw = [layout, i, color, drawRule, width](QPainter &p, QPointF at) {
                if (drawRule) {
                    p.setPen(QPen(QColor(0x66, 0x66, 0x66), 12));
                    p.drawLine(QPointF(at.x(), at.y() - 40), QPointF(at.x() + width, at.y() - 40));
                }
                p.setPen(color);
                const QTextLine l = layout->lineAt(i);
                l.draw(&p, at - QPointF(0, l.y()));
            };
            items.push_back(std::move(item));
        }
    }

    void table(const Table &t, const Fonts &fonts, double spaceBefore)
    {
        const bool labelled = t.header.isEmpty();
        std::vector<double> cols;
        for (double w : t.widths)
            cols.push_back(w * width_);
        int header = -1;
        if (!labelled) {
            std::vector<Cell> cells;
            for (const QString &h : t.header)
                cells.push_back(Cell{h, false, true});
            header = static_cast<int>(items.size());
            row(cells, cols, t.numeric, fonts, QColor(0xe8, 0xe8, 0xe8), false, spaceBefore, -1);
            items.back().keepWithNext = true;
        }
        for (size_t r = 0; r < t.rows.size(); ++r)
            row(t.rows[r], cols, t.numeric, fonts, QColor(), labelled, r == 0 && labelled ? spaceBefore : 0,
                header);
    }

    void images(const FrameView &f, const Fonts &fonts)
    {
        const double gap = 140;
        const double boxW = (width_ - gap) / 2;
        double boxH = 0;
        for (const QImage *img : {&f.thumbnail, &f.heatmap})
            if (!img->isNull())
                boxH = std::max(boxH, std::min(boxW * img->height() / img->width(), boxW * 0.58));
        if (boxH == 0)
            boxH = 500;
        double capH = 0;
        const Layout capA = layoutText(QCoreApplication::translate("ReviewReport", "Frame"), fonts.small,
                                       boxW, Qt::AlignHCenter, &capH);
        const Layout capB = layoutText(QCoreApplication::translate("ReviewReport", "Heatmap"), fonts.small,
                                       boxW, Qt::AlignHCenter, &capH);
        double naH = 0;
        const Layout naA = layoutText(QCoreApplication::translate("ReviewReport", "Thumbnail not available"),
                                      fonts.body, boxW - 2 * kPad, Qt::AlignHCenter, &naH);
        const Layout naB = layoutText(QCoreApplication::translate("ReviewReport", "Heatmap not available"),
                                      fonts.body, boxW - 2 * kPad, Qt::AlignHCenter, &naH);
        Item item;
        item.height = boxH + 30 + capH;
        item.spaceBefore = 60;
        item.keepWithNext = true;
        const QImage a = f.thumbnail, b = f.heatmap;
        item.draw = [=](QPainter &p, QPointF at) {
            const QImage *imgs[2] = {&a, &b};
            const Layout caps[2] = {capA, capB};
            const Layout missing[2] = {naA, naB};
            for (int k = 0; k < 2; ++k) {
                const QRectF box(at.x() + k * (boxW + gap), at.y(), boxW, boxH);
                if (imgs[k]->isNull()) {
                    p.setPen(QPen(QColor(0x99, 0x99, 0x99), 6, Qt::DashLine));
                    p.setBrush(Qt::NoBrush);
                    p.drawRect(box);
                    p.setPen(QColor(0x66, 0x66, 0x66));
                    missing[k]->draw(&p, QPointF(box.x() + kPad, box.center().y() - naH / 2));
                } else {
                    const QSizeF fit = QSizeF(imgs[k]->size()).scaled(box.size(), Qt::KeepAspectRatio);
                    const QRectF target(box.x() + (boxW - fit.width()) / 2,
                                        box.y() + (boxH - fit.height()) / 2, fit.width(), fit.height());
                    p.drawImage(target, *imgs[k]);
                }
                p.setPen(QColor(0x44, 0x44, 0x44));
                caps[k]->draw(&p, QPointF(box.x(), box.bottom() + 30));
            }
        };
        items.push_back(std::move(item));
    }

  private:
    void row(const std::vector<Cell> &cells, const std::vector<double> &cols,
             const std::vector<bool> &numeric, const Fonts &fonts, const QColor &fill, bool labelled,
             double spaceBefore, int header)
    {
        std::vector<Layout> layouts;
        double height = 0;
        for (size_t c = 0; c < cells.size() && c < cols.size(); ++c) {
            const Cell &x = cells[c];
            const QFont &font = x.mono ? fonts.mono : (x.strong ? fonts.bold : fonts.body);
            const Qt::Alignment align = c < numeric.size() && numeric[c] ? Qt::AlignRight : Qt::AlignLeft;
            double h = 0;
            layouts.push_back(layoutText(x.text, font, cols[c] - 2 * kPad, align, &h));
            height = std::max(height, h + 2 * kPad);
        }
        Item item;
        item.height = height;
        item.spaceBefore = spaceBefore;
        item.header = header;
        item.draw = [layouts, cols, fill, labelled, height](QPainter &p, QPointF at) {
            double x = at.x();
            for (size_t c = 0; c < layouts.size(); ++c) {
                const QRectF box(x, at.y(), cols[c], height);
                QColor background = fill;
                if (labelled && c == 0)
                    background = QColor(0xf4, 0xf4, 0xf4);
                if (background.isValid())
                    p.fillRect(box, background);
                p.setPen(QPen(kBorder, 5));
                p.setBrush(Qt::NoBrush);
                p.drawRect(box);
                p.setPen(Qt::black);
                layouts[c]->draw(&p, QPointF(x + kPad, at.y() + kPad));
                x += cols[c];
            }
        };
        items.push_back(std::move(item));
    }

    double width_;
};

struct Placement
{
    int item;
    double y;
};

struct PageGeometry
{
    double width, height; ///< the whole page in layout units
    double textWidth() const { return width - 2 * kMargin; }
    double bodyHeight() const { return height - 2 * kMargin - kFooterHeight; }
};

struct PagedReport
{
    ReportModel model;
    Fonts fonts;
    std::vector<Item> items;
    std::vector<std::vector<Placement>> pages;
};

void paginate(PagedReport &report, double bodyHeight)
{
    const std::vector<Item> &items = report.items;
    auto &pages = report.pages;
    pages.assign(1, {});
    double y = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const Item &it = items[i];
        double chain = it.height;
        for (size_t j = i; j + 1 < items.size() && items[j].keepWithNext; ++j)
            chain += items[j + 1].spaceBefore + items[j + 1].height;
        // A chain longer than a page starts on a fresh page and runs over; it cannot do better.
        chain = std::min(chain, bodyHeight);
        double before = y > 0 ? it.spaceBefore : 0;
        if (y > 0 && y + before + chain > bodyHeight) {
            pages.emplace_back();
            y = 0;
            before = 0;
            if (it.header >= 0 && static_cast<size_t>(it.header) != i) {
                pages.back().push_back({it.header, 0});
                y = items[static_cast<size_t>(it.header)].height;
            }
        }
        y += before;
        pages.back().push_back({static_cast<int>(i), y});
        y += it.height;
    }
}

std::unique_ptr<PagedReport> layOut(const ReviewReportData &data, const PageGeometry &page)
{
    auto report = std::make_unique<PagedReport>();
    report->model = buildModel(data);
    const Fonts &f = report->fonts;
    ItemBuilder b(page.textWidth());
    b.paragraph(report->model.title, f.h1, 0, true);
    b.paragraph(report->model.subtitle, f.body, 40, false, QColor(0x44, 0x44, 0x44));
    for (const Section &s : report->model.sections) {
        b.paragraph(s.heading, f.h2, 260, true);
        for (const Block &block : s.blocks) {
            switch (block.kind) {
            case Block::Paragraph:
                b.paragraph(block.text, block.strong ? f.bold : f.body, 80);
                break;
            case Block::TableBlock:
                b.table(block.table, f, 80);
                break;
            case Block::Frame: {
                const size_t first = b.items.size();
                b.paragraph(block.frame.heading, f.h3, 260, true, Qt::black, true);
                b.images(block.frame, f);
                b.table(block.frame.details, f, 60);
                b.paragraph(block.frame.note, f.body, 50);
                for (const Table &t : block.frame.scores)
                    b.table(t, f, 60);
                // A frame stays on one page when it fits on one: pictures, mark and scores read together.
                for (size_t i = first; i + 1 < b.items.size(); ++i)
                    b.items[i].keepWithNext = true;
                break;
            }
            }
        }
    }
    report->items = std::move(b.items);
    paginate(*report, page.bodyHeight());
    return report;
}

void paintPage(QPainter &p, const PagedReport &report, const PageGeometry &page, int index)
{
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.save();
    p.setClipRect(QRectF(0, 0, page.width, page.height - kMargin - kFooterHeight + 40));
    for (const Placement &placed : report.pages[static_cast<size_t>(index)])
        report.items[static_cast<size_t>(placed.item)].draw(p, QPointF(kMargin, kMargin + placed.y));
    p.restore();

    const double top = page.height - kMargin - kFooterHeight + 80;
    p.setPen(QPen(kBorder, 5));
    p.drawLine(QPointF(kMargin, top), QPointF(page.width - kMargin, top));
    double h = 0;
    const double half = page.textWidth() / 2;
    const Layout left = layoutText(report.model.footer, report.fonts.small, half * 1.5, Qt::AlignLeft, &h);
    const Layout right = layoutText(
        QCoreApplication::translate("ReviewReport", "page %1 of %2").arg(index + 1).arg(report.pages.size()),
        report.fonts.small, half * 0.5, Qt::AlignRight, &h);
    p.setPen(QColor(0x55, 0x55, 0x55));
    left->draw(&p, QPointF(kMargin, top + 30));
    right->draw(&p, QPointF(kMargin + half * 1.5, top + 30));
}

PageGeometry a4()
{
    const QSizeF mm = QPageSize(QPageSize::A4).size(QPageSize::Millimeter);
    return PageGeometry{std::round(mm.width() / 25.4 * kUnitsPerInch),
                        std::round(mm.height() / 25.4 * kUnitsPerInch)};
}

} // namespace

int printReviewReport(const ReviewReportData &data, QPagedPaintDevice *device)
{
    if (!device)
        throw Error(
            QCoreApplication::translate("ReviewReport", "no device to print the report on").toStdString());
    const double sx = device->logicalDpiX() / kUnitsPerInch, sy = device->logicalDpiY() / kUnitsPerInch;
    const PageGeometry page{std::round(device->width() / sx), std::round(device->height() / sy)};
    if (page.bodyHeight() < 1000 || page.textWidth() < 2000)
        throw Error(QCoreApplication::translate("ReviewReport", "the page is too small for the report")
                        .toStdString());
    const std::unique_ptr<PagedReport> report = layOut(data, page);
    QPainter painter;
    if (!painter.begin(device))
        throw Error(QCoreApplication::translate("ReviewReport", "cannot print the report on this device")
                        .toStdString());
    const int pages = static_cast<int>(report->pages.size());
    for (int i = 0; i < pages; ++i) {
        if (i > 0 && !device->newPage())
            throw Error(QCoreApplication::translate("ReviewReport", "cannot start page %1 of the report")
                            .arg(i + 1)
                            .toStdString());
        painter.save();
        painter.scale(sx, sy);
        paintPage(painter, *report, page, i);
        painter.restore();
    }
    if (!painter.end())
        throw Error(
            QCoreApplication::translate("ReviewReport", "cannot finish printing the report").toStdString());
    return pages;
}

QImage reviewReportPageImage(const ReviewReportData &data, int page, double dpi)
{
    if (!(dpi >= 10 && dpi <= 1200))
        throw Error(QCoreApplication::translate("ReviewReport", "a preview needs 10 to 1200 dpi, not %1")
                        .arg(dpi)
                        .toStdString());
    const PageGeometry geometry = a4();
    const std::unique_ptr<PagedReport> report = layOut(data, geometry);
    if (page < 0 || static_cast<size_t>(page) >= report->pages.size())
        throw Error(QCoreApplication::translate("ReviewReport", "the report has no page %1; it has %2")
                        .arg(page + 1)
                        .arg(report->pages.size())
                        .toStdString());
    const double scale = dpi / kUnitsPerInch;
    QImage image(qRound(geometry.width * scale), qRound(geometry.height * scale), QImage::Format_RGB32);
    image.setDotsPerMeterX(qRound(dpi / 0.0254));
    image.setDotsPerMeterY(qRound(dpi / 0.0254));
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.scale(scale, scale);
    paintPage(painter, *report, geometry, page);
    painter.end();
    return image;
}

void writeReviewReportPdf(const QString &path, const ReviewReportData &data, bool overwrite)
{
    checkTarget(path, overwrite);
    // Rendered into memory first, so a report that fails half-way leaves no file behind.
    QByteArray bytes;
    {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter writer(&buffer);
        writer.setPageLayout(
            QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
        writer.setResolution(static_cast<int>(kUnitsPerInch));
        writer.setTitle(data.title);
        writer.setCreator(QStringLiteral("OOD Inspector ") +
                          (data.appVersion.isEmpty() ? QStringLiteral(OOD_VERSION_STRING) : data.appVersion));
        printReviewReport(data, &writer);
    }
    saveFile(path, bytes, overwrite);
}

} // namespace ood
