#pragma once
// A private single-node Slurm cluster for one test: its own munged (own key and socket), slurmctld
// and slurmd on free ports, every file in a temporary folder, nothing of the system's Slurm or
// munge configuration used or changed. Needs root (the daemons run as root, and so do the jobs)
// and Debian's slurmctld, slurmd, slurm-client and munge; when anything is missing or does not
// start, isRunning() is false and whyNot() says why, for a QSKIP.

#include "support/processrun.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <vector>

class QProcess;

namespace ood::test {

class SlurmCluster
{
  public:
    /// Starts the daemons and waits until the node is idle (up to half a minute).
    SlurmCluster();
    /// Cancels the cluster's jobs, then stops the daemons it started, by their process ids only.
    ~SlurmCluster();
    SlurmCluster(const SlurmCluster &) = delete;
    SlurmCluster &operator=(const SlurmCluster &) = delete;

    bool isRunning() const { return m_running; }
    QString whyNot() const { return m_whyNot; }
    /// This process's environment with SLURM_CONF naming the cluster's slurm.conf: sbatch,
    /// squeue, scancel, ... run with it talk to this cluster, and so do the jobs they submit.
    QProcessEnvironment environment() const;
    QString configPath() const;
    /// Runs a program (a Slurm client, or a script that calls them) with environment().
    Run run(const QString &program, const QStringList &arguments, int timeoutMs = 60000) const;
    /// The last lines of the daemons' logs, for a failure message.
    QString logTail(int lines = 15) const;

  private:
    bool start();
    bool startDaemon(const QString &name, const QString &program, const QStringList &arguments);
    void stop();

    QTemporaryDir m_dir;
    std::vector<std::pair<QString, std::unique_ptr<QProcess>>> m_daemons; ///< in start order
    bool m_running = false;
    QString m_whyNot;
};

} // namespace ood::test
