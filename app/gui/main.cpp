// ood-inspector: the desktop application of OOD Inspector.

#include "mainwindow.h"

#include <QApplication>

#include <torch/torch.h>

#include <thread>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("OOD Inspector"));
    QApplication::setOrganizationName(QStringLiteral("OOD Inspector"));
    QApplication::setOrganizationDomain(QStringLiteral("ood-inspector.org"));
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    ood::MainWindow window;
    window.show();
    return app.exec();
}
