#include "support/slurmcluster.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTextStream>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ood::test {

namespace {

const QStringList kSystemBins = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

QString findProgram(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(name, kSystemBins);
    return path;
}

/// Two distinct TCP ports nobody listens on now: bound together on every address (as slurmctld
/// and slurmd will bind them), so the kernel gives two different ones, then released.
bool freePorts(int &first, int &second, QString &why)
{
    int sockets[2] = {-1, -1};
    int ports[2] = {0, 0};
    bool ok = true;
    for (int i = 0; i < 2 && ok; ++i) {
        sockets[i] = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        address.sin_port = 0;
        socklen_t length = sizeof(address);
        ok = sockets[i] >= 0 &&
             ::bind(sockets[i], reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0 &&
             ::getsockname(sockets[i], reinterpret_cast<sockaddr *>(&address), &length) == 0;
        if (ok)
            ports[i] = ntohs(address.sin_port);
    }
    for (int s : sockets)
        if (s >= 0)
            ::close(s);
    if (!ok) {
        why = QString("cannot find a free TCP port: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    first = ports[0];
    second = ports[1];
    return true;
}

qint64 memoryMegabytes()
{
    QFile file("/proc/meminfo");
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    QTextStream in(&file);
    for (QString line = in.readLine(); !line.isNull(); line = in.readLine())
        if (line.startsWith("MemTotal:"))
            return line.section(' ', 1, -1, QString::SectionSkipEmpty).section(' ', 0, 0).toLongLong() / 1024;
    return 0;
}

bool writeText(const QString &path, const QByteArray &bytes, QFileDevice::Permissions permissions)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size() &&
           file.setPermissions(permissions);
}

QString tail(const QString &path, int lines)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    QStringList all = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join('\n');
}

} // namespace

SlurmCluster::SlurmCluster()
{
    m_running = start();
    if (!m_running)
        stop();
}

SlurmCluster::~SlurmCluster()
{
    stop();
}

QString SlurmCluster::configPath() const
{
    return m_dir.filePath("slurm.conf");
}

QProcessEnvironment SlurmCluster::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("SLURM_CONF", configPath());
    // Settings of a system cluster the test runs under would leak into sbatch/squeue.
    for (const QString &key : environment.keys())
        if (key.startsWith("SLURM_") && key != "SLURM_CONF")
            environment.remove(key);
    environment.remove("SBATCH_PARTITION");
    environment.remove("SBATCH_ACCOUNT");
    environment.remove("SQUEUE_FORMAT");
    environment.remove("SQUEUE_FORMAT2");
    return environment;
}

Run SlurmCluster::run(const QString &program, const QStringList &arguments, int timeoutMs) const
{
    return ood::test::run(program, arguments, timeoutMs, environment());
}

QString SlurmCluster::logTail(int lines) const
{
    QString text;
    for (const char *name :
         {"munged.log", "slurmctld.log", "slurmd.log", "munged.out", "slurmctld.out", "slurmd.out"}) {
        const QString t = tail(m_dir.filePath(name), lines);
        if (!t.isEmpty())
            text += QString("--- %1\n%2\n").arg(name, t);
    }
    return text;
}

bool SlurmCluster::startDaemon(const QString &name, const QString &program, const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessEnvironment(environment());
    // The daemons also write their own log files; this catches what they print before those are open.
    process->setStandardOutputFile(m_dir.filePath(name + ".out"));
    process->setStandardErrorFile(m_dir.filePath(name + ".out"), QIODevice::Append);
    process->setStandardInputFile(QProcess::nullDevice());
    // A test that crashes must not leave the daemons behind: they get SIGTERM when it ends.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    process->start(program, arguments);
    if (!process->waitForStarted(10000)) {
        m_whyNot = QString("cannot start %1: %2").arg(program, process->errorString());
        return false;
    }
    m_daemons.emplace_back(name, std::move(process));
    return true;
}

bool SlurmCluster::start()
{
    if (::geteuid() != 0) {
        m_whyNot = "a private Slurm cluster needs root (SlurmUser=root)";
        return false;
    }
    QString programs[6];
    const char *names[6] = {"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"};
    for (int i = 0; i < 6; ++i) {
        programs[i] = findProgram(names[i]);
        if (programs[i].isEmpty()) {
            m_whyNot =
                QString("%1 is not installed (Debian: munge, slurmctld, slurmd, slurm-client)").arg(names[i]);
            return false;
        }
    }
    if (!m_dir.isValid()) {
        m_whyNot = "cannot create a temporary folder";
        return false;
    }
    const QString dir = m_dir.path();

    // munged: its own key and socket, so that the system's munge (running or not) plays no part.
    QByteArray key(1024, '\0');
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(key.data()),
                                         reinterpret_cast<quint32 *>(key.data() + key.size()));
    if (!writeText(dir + "/munge.key", key, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        m_whyNot = "cannot write " + dir + "/munge.key";
        return false;
    }
    const QString socket = dir + "/munge.socket";
    // --force: munged refuses to run as root without it.
    if (!startDaemon("munged", programs[0],
                     {"--foreground", "--force", "--socket=" + socket, "--key-file=" + dir + "/munge.key",
                      "--pid-file=" + dir + "/munged.pid", "--log-file=" + dir + "/munged.log",
                      "--seed-file=" + dir + "/munged.seed"}))
        return false;
    QDeadlineTimer mungeReady(10000);
    while (!QFile::exists(socket) && !mungeReady.hasExpired()) {
        if (m_daemons.back().second->state() == QProcess::NotRunning) {
            m_whyNot = "munged ended at once:\n" + logTail();
            return false;
        }
        QThread::msleep(50);
    }
    if (!QFile::exists(socket)) {
        m_whyNot = "munged did not create its socket:\n" + logTail();
        return false;
    }

    int controllerPort = 0, nodePort = 0;
    if (!freePorts(controllerPort, nodePort, m_whyNot))
        return false;
    const QString host = QSysInfo::machineHostName().section('.', 0, 0);
    if (host.isEmpty()) {
        m_whyNot = "this machine has no host name";
        return false;
    }
    const int cpus = std::max(1, QThread::idealThreadCount());
    // Below what slurmd finds, or it drains the node for "Low RealMemory".
    const qint64 memory = std::max<qint64>(1, memoryMegabytes() * 9 / 10);
    QString conf;
    QTextStream out(&conf);
    out << "ClusterName=oodtest\n"
        << "SlurmctldHost=" << host << "(127.0.0.1)\n"
        << "SlurmUser=root\nSlurmdUser=root\n"
        << "SlurmctldPort=" << controllerPort << "\nSlurmdPort=" << nodePort << '\n'
        << "AuthType=auth/munge\nCredType=cred/munge\n"
        << "AuthInfo=socket=" << socket << '\n'
        << "StateSaveLocation=" << dir << "/state\n"
        << "SlurmdSpoolDir=" << dir << "/spool\n"
        << "SlurmctldPidFile=" << dir << "/slurmctld.pid\n"
        << "SlurmdPidFile=" << dir << "/slurmd.pid\n"
        << "SlurmctldLogFile=" << dir << "/slurmctld.log\n"
        << "SlurmdLogFile=" << dir << "/slurmd.log\n"
        << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
        << "SchedulerType=sched/backfill\nSelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
        << "ReturnToService=2\nMpiDefault=none\nJobCompType=jobcomp/none\n"
        << "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
        << "KillWait=5\nMinJobAge=300\n"
        << "NodeName=" << host << " NodeAddr=127.0.0.1 CPUs=" << cpus << " RealMemory=" << memory
        << " State=UNKNOWN\n"
        << "PartitionName=debug Nodes=" << host << " Default=YES MaxTime=INFINITE State=UP\n";
    out.flush();
    for (const char *sub : {"state", "spool"})
        if (!QDir(dir).mkpath(sub)) {
            m_whyNot = QString("cannot create %1/%2").arg(dir, sub);
            return false;
        }
    if (!writeText(configPath(), conf.toUtf8(),
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                       QFileDevice::ReadOther)) {
        m_whyNot = "cannot write " + configPath();
        return false;
    }

    // -D: in the foreground, so that the QProcess holds the daemon's own process id.
    if (!startDaemon("slurmctld", programs[1], {"-D", "-f", configPath()}) ||
        !startDaemon("slurmd", programs[2], {"-D", "-f", configPath(), "-N", host}))
        return false;

    QDeadlineTimer ready(30000);
    QString state;
    while (!ready.hasExpired()) {
        for (const auto &[name, process] : m_daemons)
            if (process->state() == QProcess::NotRunning) {
                m_whyNot = QString("%1 ended at once (exit %2):\n%3")
                               .arg(name)
                               .arg(process->exitCode())
                               .arg(logTail());
                return false;
            }
        const Run sinfo = run(programs[5], {"--noheader", "--Node", "--format=%t"}, 10000);
        state = (sinfo.out + sinfo.err).trimmed();
        if (sinfo.exitCode == 0 && state == "idle")
            return true;
        QThread::msleep(200);
    }
    m_whyNot = QString("the node did not become idle in 30 s (sinfo: %1):\n%2").arg(state, logTail());
    return false;
}

void SlurmCluster::stop()
{
    if (m_daemons.empty())
        return;
    // Jobs first, while slurmd can still end them: their processes are not the daemons' own.
    if (m_running) {
        run("scancel", {"--user=root"}, 20000);
        QDeadlineTimer drained(20000);
        while (!drained.hasExpired()) {
            const Run queue = run("squeue", {"--noheader", "--format=%i"}, 10000);
            if (queue.exitCode != 0 || queue.out.trimmed().isEmpty())
                break;
            QThread::msleep(200);
        }
    }
    // The reverse of the start order: slurmd, slurmctld, munged. SIGTERM, then SIGKILL.
    for (auto it = m_daemons.rbegin(); it != m_daemons.rend(); ++it) {
        QProcess &process = *it->second;
        if (process.state() == QProcess::NotRunning)
            continue;
        process.terminate();
        if (!process.waitForFinished(15000)) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
    m_daemons.clear();
    m_running = false;
}

} // namespace ood::test
