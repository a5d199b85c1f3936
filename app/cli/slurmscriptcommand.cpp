#include "commands.h"

#include "base/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <cstdio>

namespace ood::cli {

namespace {

/// Slurm's default MaxArraySize: array indices must stay below it.
const int kDefaultMaxArraySize = 1001;
/// Over this many bytes sbatch refuses a script with Slurm's default max_script_size (4 MB).
const qint64 kDefaultMaxScriptSize = 4 * 1024 * 1024;
/// A command line longer than this may fail with "Argument list too long" (ARG_MAX is a quarter
/// of the stack limit, 2 MB with the usual 8 MB).
const qint64 kSafeArgumentBytes = 1024 * 1024;

/// One word for bash: single quotes, and ' written as '\''. sbatch's own parser of #SBATCH lines
/// reads the same quoting, so it serves there too.
QString shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace('\'', "'\\''");
    return '\'' + quoted + '\'';
}

QString absolutePath(const QString &path)
{
    return QFileInfo(path).absoluteFilePath();
}

QString shardFileName(int index, int count)
{
    return QString("shard-%1-of-%2.csv").arg(index).arg(count);
}

/// Values that end up unquoted on #SBATCH lines are held to the characters Slurm uses for them.
QString checkedSbatchValue(const QCommandLineParser &parser, const QString &name, const QString &pattern,
                           const QString &example)
{
    const QString value = parser.value(name);
    if (!QRegularExpression("^(" + pattern + ")$").match(value).hasMatch())
        throw Error(QString("--%1 '%2' is not a value for sbatch --%1 (for example %3)")
                        .arg(name, value, example)
                        .toStdString());
    return value;
}

struct Plan
{
    QString dir;
    QString binary;
    QString profile;
    QString model;
    QStringList inputs;
    int shards = 1;
    QString time, mem, partition;
    int cpusPerTask = 0;      ///< 0: not given
    QStringList scoreOptions; ///< "--batch 8", ...: what is passed on to score, quoted
};

QString sbatchResourceLines(const Plan &plan, bool withCpusAndMemory)
{
    QString text;
    if (!plan.time.isEmpty())
        text += "#SBATCH --time=" + plan.time + '\n';
    if (withCpusAndMemory && plan.cpusPerTask > 0)
        text += QString("#SBATCH --cpus-per-task=%1\n").arg(plan.cpusPerTask);
    if (withCpusAndMemory && !plan.mem.isEmpty())
        text += "#SBATCH --mem=" + plan.mem + '\n';
    if (!plan.partition.isEmpty())
        text += "#SBATCH --partition=" + plan.partition + '\n';
    return text;
}

QString scoreArrayScript(const Plan &plan)
{
    const QString log = shellQuote(plan.dir + "/logs/score-%A_%a.log");
    QString text = "#!/bin/bash\n"
                   "# One task of this array scores one shard of the inputs; written by\n"
                   "# `ood-inspect slurm-script` (see README.txt). submit.sh and resubmit.sh submit it.\n"
                   "#SBATCH --job-name=ood-score\n";
    text += QString("#SBATCH --array=0-%1\n").arg(plan.shards - 1);
    text += "#SBATCH --requeue\n";
    text += "#SBATCH --output=" + log + '\n';
    text += "#SBATCH --error=" + log + '\n';
    text += sbatchResourceLines(plan, true);
    text +=
        "\n"
        "shard=\"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch as an array job, see README.txt}\"\n"
        "# A task started again (requeued, resubmitted) goes on from the rows its .partial file holds;\n"
        "# one whose shard is complete already ends at once.\n";
    // A frame that cannot be read is a row with its error: score exits 0 once the shard file is
    // complete, so that the merge job (afterok) is not held up by one broken file.
    QStringList command = {"exec " + shellQuote(plan.binary) + " score",
                           "--profile " + shellQuote(plan.profile)};
    if (!plan.model.isEmpty())
        command << "--model " + shellQuote(plan.model);
    command << QString("--shard \"$shard/%1\"").arg(plan.shards)
            << "--threads \"${SLURM_CPUS_PER_TASK:-1}\" --workers \"${SLURM_CPUS_PER_TASK:-1}\" --quiet"
            << "--out " + shellQuote(plan.dir + "/shards/shard-") + "\"$shard\"" +
                   shellQuote(QString("-of-%1.csv").arg(plan.shards));
    command += plan.scoreOptions;
    for (const QString &input : plan.inputs)
        command << shellQuote(input);
    text += command.join(" \\\n    ") + '\n';
    return text;
}

QString mergeScript(const Plan &plan)
{
    const QString log = shellQuote(plan.dir + "/logs/merge-%j.log");
    QString text =
        "#!/bin/bash\n"
        "# Joins the shard files into all.csv once every array task has ended well (submit.sh and\n"
        "# resubmit.sh make it depend on them with afterok); written by `ood-inspect slurm-script`.\n"
        "# Every shard is named, so that merge reports the ones that are missing.\n"
        "#SBATCH --job-name=ood-merge\n";
    text += "#SBATCH --output=" + log + '\n';
    text += "#SBATCH --error=" + log + '\n';
    text += sbatchResourceLines(plan, false);
    text += "\n";
    QStringList command = {"exec " + shellQuote(plan.binary), "merge", "--out",
                           shellQuote(plan.dir + "/all.csv")};
    text += command.join(' ');
    for (int k = 0; k < plan.shards; ++k)
        text += " \\\n    " + shellQuote(plan.dir + "/shards/" + shardFileName(k, plan.shards));
    text += '\n';
    return text;
}

/// The lines that write jobs.txt (through a temporary file and a rename, so that a reader never
/// sees half of it) from $arrays and $merge.
QString writeJobsFunction()
{
    return "write_jobs() {\n"
           "    printf 'arrays=%s\\nmerge=%s\\n' \"$arrays\" \"$merge\" > \"$dir/jobs.txt.new\"\n"
           "    mv -f \"$dir/jobs.txt.new\" \"$dir/jobs.txt\"\n"
           "}\n";
}

QString submitScript(const Plan &plan)
{
    const QString resubmit = "bash " + shellQuote(plan.dir + "/resubmit.sh");
    QString text =
        "#!/bin/bash\n"
        "# Submits the score array and the merge job that waits for it, and records both job ids in\n"
        "# jobs.txt for resubmit.sh; written by `ood-inspect slurm-script` (see README.txt).\n"
        "set -euo pipefail\n";
    text += "dir=" + shellQuote(plan.dir) + '\n';
    text += writeJobsFunction();
    text += "if [ -e \"$dir/jobs.txt\" ]; then\n"
            "    # A second array would score the same shards into the same files at the same time.\n"
            "    echo " +
            shellQuote("submit.sh: this job was submitted already (" + plan.dir +
                       "/jobs.txt); to score the shards that are missing run: " + resubmit) +
            " >&2\n"
            "    exit 1\n"
            "fi\n"
            "mkdir -p \"$dir/logs\" \"$dir/shards\"\n"
            "# --parsable prints \"<job id>\" or \"<job id>;<cluster>\".\n"
            "arrays=$(sbatch --parsable \"$dir/score-array.sbatch\")\n"
            "arrays=${arrays%%;*}\n"
            "merge=\n"
            "write_jobs\n"
            "merge=$(sbatch --parsable --dependency=\"afterok:$arrays\" \"$dir/merge.sbatch\")\n"
            "merge=${merge%%;*}\n"
            "write_jobs\n";
    text +=
        QString("echo \"score array job $arrays: %1 tasks, logs in $dir/logs/score-${arrays}_<task>.log\"\n")
            .arg(plan.shards);
    text +=
        "echo \"merge job $merge: starts when every task has ended well, writes $dir/all.csv, log "
        "$dir/logs/merge-$merge.log\"\n"
        "echo " +
        shellQuote("when a task fails or is cancelled, the merge job never starts; then run: " + resubmit) +
        '\n';
    return text;
}

QString resubmitScript(const Plan &plan)
{
    QString text =
        "#!/bin/bash\n"
        "# Scores again the shards whose file is missing (a task failed, was cancelled, ran out of time\n"
        "# or lost its node) and submits a new merge job that waits for them; written by\n"
        "# `ood-inspect slurm-script` (see README.txt). A resubmitted task goes on from the rows its\n"
        "# shard's .partial file holds.\n"
        "set -euo pipefail\n";
    text += "dir=" + shellQuote(plan.dir) + '\n';
    text += QString("shards=%1\n").arg(plan.shards);
    text += writeJobsFunction();
    text += R"SH(
# "2 3 4 7" -> "2-4,7" for sbatch --array; no subshell per range, for arrays of thousands.
ranges() {
    local out="" start=-1 prev=-1 k
    for k in "$@" -1; do
        if ((start >= 0 && k == prev + 1)); then
            prev=$k
            continue
        fi
        if ((start >= 0 && start == prev)); then out+="${out:+,}$start"; fi
        if ((start < prev)); then out+="${out:+,}$start-$prev"; fi
        start=$k
        prev=$k
    done
    printf '%s' "$out"
}

mkdir -p "$dir/logs" "$dir/shards"
arrays=
merge=
if [ -f "$dir/jobs.txt" ]; then
    while IFS='=' read -r key value; do
        case "$key" in
            arrays) arrays=$value ;;
            merge) merge=$value ;;
        esac
    done < "$dir/jobs.txt"
fi

# Tasks of this job's arrays that are still queued or running keep their shards: scoring a shard
# twice at the same time would write one file from two processes. squeue failing (no controller)
# ends the script here, before anything is submitted.
declare -A queued=()
merge_state=
queue=$(squeue --noheader --array --user="$(id -un)" --format='%A %F %K %T')
while read -r id array task state; do
    [ -n "$id" ] || continue
    if [ -n "$merge" ] && [ "$id" = "$merge" ]; then merge_state=$state; fi
    for a in $arrays; do
        if [ "$array" = "$a" ] && [ "$task" != "N/A" ]; then queued[$task]="${a}_${task}"; fi
    done
done <<< "$queue"

missing=()
again=()
waiting=()
for ((k = 0; k < shards; k++)); do
    if [ ! -f "$dir/shards/shard-$k-of-$shards.csv" ]; then
        missing+=("$k")
        if [ -n "${queued[$k]+x}" ]; then waiting+=("$k"); else again+=("$k"); fi
    fi
done

if [ "${#missing[@]}" -eq 0 ] && [ -f "$dir/all.csv" ]; then
    echo "all $shards shards are complete and $dir/all.csv exists: nothing to do"
    exit 0
fi
if [ "$merge_state" = RUNNING ] || [ "$merge_state" = COMPLETING ]; then
    echo "merge job $merge is running: see $dir/logs/merge-$merge.log"
    exit 0
fi
# The old merge job waits for tasks that will never end well (afterok): a new one replaces it.
if [ -n "$merge_state" ]; then
    scancel "$merge"
    echo "cancelled merge job $merge"
fi
merge=

dependencies=()
if [ "${#again[@]}" -gt 0 ]; then
    list=$(ranges "${again[@]}")
    new_array=$(sbatch --parsable --array="$list" "$dir/score-array.sbatch")
    new_array=${new_array%%;*}
    arrays="${arrays:+$arrays }$new_array"
    write_jobs
    dependencies+=("$new_array")
    echo "resubmitted shards $list of $shards as array job $new_array, logs in $dir/logs/score-${new_array}_<task>.log"
fi
if [ "${#missing[@]}" -eq 0 ]; then
    echo "all $shards shards are complete"
fi
if [ "${#waiting[@]}" -gt 0 ]; then
    for k in "${waiting[@]}"; do dependencies+=("${queued[$k]}"); done
    echo "shards $(ranges "${waiting[@]}") are still queued or running; the merge job waits for them"
fi
if [ "${#dependencies[@]}" -gt 0 ]; then
    merge=$(IFS=:; sbatch --parsable --dependency="afterok:${dependencies[*]}" "$dir/merge.sbatch")
else
    merge=$(sbatch --parsable "$dir/merge.sbatch")
fi
merge=${merge%%;*}
write_jobs
echo "merge job $merge: writes $dir/all.csv, log $dir/logs/merge-$merge.log"
)SH";
    return text;
}

QString readme(const Plan &plan)
{
    const QString d = plan.dir;
    QString text =
        QString(
            R"TXT(Slurm job scripts written by `ood-inspect slurm-script`: score the inputs in %1 shards, one
array task each, then merge the shards into one results file.

Submit:
    bash %2

Files in %3:
  score-array.sbatch  the array job: task K runs `ood-inspect score --shard K/%1` and writes
                      shards/shard-K-of-%1.csv. Rows go to shards/shard-K-of-%1.csv.partial as they
                      are scored; the file gets its final name when the shard is complete. A task
                      that is started again (requeued, resubmitted) goes on where it stopped.
  merge.sbatch        the merge job: `ood-inspect merge` checks the shard files (same profile,
                      model and inputs, every shard once, no frame missing or repeated) and writes
                      all.csv. It refuses to write anything when a shard is missing or broken and
                      names it in its log, with a line "resubmit shards: ...".
  submit.sh           submits the array and the merge job (sbatch --dependency=afterok:<array>, so
                      it starts only when every task has ended well), prints both job ids and
                      records them in jobs.txt.
  resubmit.sh         for a task that failed, was cancelled, ran out of time or lost its node:
                      resubmits only the shards whose file is missing (skipping those still queued
                      or running), replaces the merge job by one that waits for them, and updates
                      jobs.txt. With no shard missing it submits only the merge job.
  all.csv             the result, written by the merge job: leading "# key: value" lines (profile,
                      model, inputs), then one CSV row per frame, sorted by path and frame. Read it
                      with pandas.read_csv(path, comment='#') or R's read.csv(comment.char='#').
  jobs.txt            the job ids of the arrays and of the current merge job.

Logs:
  %3/logs/score-<array job id>_<task>.log   one per array task
  %3/logs/merge-<merge job id>.log

When a task fails or is cancelled, the merge job waits for ever (its dependency cannot be
satisfied; squeue shows the reason DependencyNeverSatisfied). Look at the task's log, fix the
cause (--time, --mem, a broken input) and run
    bash %4
It leaves alone the shards whose tasks are still queued or running (the new merge job waits for
them too), so it can run while the rest of the array goes on. When the merge log names a shard
file that is there but broken or of another job, move that file away first: resubmit.sh scores
the shards whose file is missing.

Limits:
  * Slurm refuses array indices at or above MaxArraySize (1001 by default); %1 shards need
    indices up to %5. See `scontrol show config | grep MaxArraySize`; a site's MaxArraySize
    may be lower, and MaxJobCount limits how many tasks can be queued at once.
  * merge.sbatch names every shard file on one command line; with many thousands of shards that
    can exceed sbatch's max_script_size (4 MB by default) or the system's argument limit
    (getconf ARG_MAX).
  * Each task scores with ${SLURM_CPUS_PER_TASK:-1} threads: ask for more with --cpus-per-task.
)TXT")
            .arg(plan.shards)
            .arg(shellQuote(d + "/submit.sh"), d, shellQuote(d + "/resubmit.sh"))
            .arg(plan.shards - 1);
    return text;
}

void writeFile(const QString &path, const QString &text, bool executable)
{
    writeFileAtomically(path, text.toUtf8());
    QFileDevice::Permissions permissions =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (executable)
        permissions |= QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
    if (!QFile::setPermissions(path, permissions))
        throw Error(QString("cannot set the permissions of %1").arg(path).toStdString());
}

} // namespace

int runSlurmScript(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Write Slurm job scripts that score the inputs in N shards (one array task each) and merge the "
        "shards into one results file; see the README.txt it writes.");
    parser.addHelpOption();
    addProfileAndInputOptions(
        parser, "Image, folder (recursive), video or list file; repeatable. Positional arguments too.");
    parser.addOption({"shards", "Number of shards, one array task each (1 to 100000).", "N"});
    parser.addOption({"out", "Folder for the scripts, logs, shard files and all.csv (created).", "DIR"});
    parser.addOption({"time", "sbatch --time of each task and of the merge job, e.g. 2:00:00.", "T"});
    parser.addOption({"cpus-per-task", "sbatch --cpus-per-task; also the threads of each task.", "C"});
    parser.addOption({"mem", "sbatch --mem of each task, e.g. 8G.", "M"});
    parser.addOption({"partition", "sbatch --partition.", "P"});
    parser.addOption({"video-every", "Passed to score: every E-th frame of a video.", "E"});
    parser.addOption({"batch", "Passed to score: images per forward pass.", "B"});
    parser.addOption({"methods", "Passed to score: comma-separated detector ids.", "LIST"});
    parser.addOption({"binary", "The ood-inspect the jobs run (default: this one).", "PATH"});
    if (const int exit =
            parseCommandLine(parser, arguments, "slurm-script", {"profile", "shards", "out"}, true);
        exit >= 0)
        return exit;

    Plan plan;
    try {
        plan.shards = wholeNumberOption(parser, "shards", 1, 100000);
        if (parser.isSet("cpus-per-task"))
            plan.cpusPerTask = wholeNumberOption(parser, "cpus-per-task", 1, 1 << 16);
        if (parser.isSet("time"))
            plan.time = checkedSbatchValue(
                parser, "time", "[0-9]+(-[0-9]+)?(:[0-9]+){0,2}|UNLIMITED|INFINITE", "90, 2:00:00, 1-12");
        if (parser.isSet("mem"))
            plan.mem = checkedSbatchValue(parser, "mem", "[0-9]+[KMGT]?", "8G, 16000M");
        if (parser.isSet("partition"))
            plan.partition =
                checkedSbatchValue(parser, "partition", "[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*", "gpu, long");
        if (parser.isSet("video-every"))
            plan.scoreOptions << "--video-every " +
                                     QString::number(wholeNumberOption(parser, "video-every", 1, 1 << 30));
        if (parser.isSet("batch"))
            plan.scoreOptions << "--batch " + QString::number(wholeNumberOption(parser, "batch", 1, 1 << 16));
    } catch (const Error &e) {
        return usageError(parser, QString::fromStdString(e.what()));
    }
    if (parser.isSet("methods"))
        plan.scoreOptions << "--methods " + shellQuote(parser.value("methods"));

    plan.dir = QDir::cleanPath(absolutePath(parser.value("out")));
    // The folder appears on #SBATCH lines, where sbatch reads a backslash as an escape and Slurm
    // reads % as a file name pattern (%A, %j), and one line cannot hold a line break.
    for (const QChar c : {QChar('%'), QChar('\\'), QChar('\n'), QChar('\r')})
        if (plan.dir.contains(c))
            return usageError(
                parser, QString("--out %1: Slurm's log file names cannot hold a '%2'")
                            .arg(plan.dir, c == '\n' || c == '\r' ? QString("line break") : QString(c)));

    plan.profile = absolutePath(parser.value("profile"));
    if (!QFileInfo(plan.profile).isFile())
        throw Error(QString("profile %1 does not exist").arg(plan.profile).toStdString());
    if (parser.isSet("model")) {
        plan.model = absolutePath(parser.value("model"));
        if (!QFileInfo(plan.model).isFile())
            throw Error(QString("model %1 does not exist").arg(plan.model).toStdString());
    }
    // The tasks run in whatever folder sbatch was called from: every input by its absolute path.
    for (const QString &input : inputsFrom(parser)) {
        const QString path = absolutePath(input);
        if (!QFileInfo::exists(path))
            throw Error(QString("input %1 does not exist").arg(path).toStdString());
        plan.inputs << path;
    }
    plan.binary = absolutePath(parser.isSet("binary") ? parser.value("binary")
                                                      : QCoreApplication::applicationFilePath());
    if (!QFileInfo(plan.binary).isFile() || !QFileInfo(plan.binary).isExecutable())
        throw Error(QString("--binary %1 is not an executable file").arg(plan.binary).toStdString());

    if (QFileInfo::exists(plan.dir + "/jobs.txt"))
        throw Error(QString("%1 holds a job that was submitted (jobs.txt): new scripts there would mix two "
                            "jobs; choose another --out, or run %2 to finish that one")
                        .arg(plan.dir, shellQuote(plan.dir + "/resubmit.sh"))
                        .toStdString());
    for (const QString &sub : {QString(), QString("/logs"), QString("/shards")})
        if (!QDir().mkpath(plan.dir + sub))
            throw Error(QString("cannot create the folder %1").arg(plan.dir + sub).toStdString());

    const QString mergeText = mergeScript(plan);
    struct Output
    {
        QString name, text;
        bool executable;
        QString what;
    };
    const std::vector<Output> outputs = {
        {"score-array.sbatch", scoreArrayScript(plan), true,
         QString("the array job, %1 task%2, one shard each")
             .arg(plan.shards)
             .arg(plan.shards == 1 ? "" : "s")},
        {"merge.sbatch", mergeText, true, "the merge job, writes all.csv"},
        {"submit.sh", submitScript(plan), true, "submits both"},
        {"resubmit.sh", resubmitScript(plan), true, "scores missing shards again and merges"},
        {"README.txt", readme(plan), false, "how to use them"}};
    for (const Output &output : outputs) {
        const QString path = plan.dir + '/' + output.name;
        writeFile(path, output.text, output.executable);
        std::printf("wrote %s (%s)\n", qPrintable(path), qPrintable(output.what));
    }

    if (plan.shards > kDefaultMaxArraySize)
        std::fprintf(stderr,
                     "note: %d shards need array indices up to %d, above Slurm's default MaxArraySize of %d: "
                     "check `scontrol show config | grep MaxArraySize`\n",
                     plan.shards, plan.shards - 1, kDefaultMaxArraySize);
    if (mergeText.toUtf8().size() > kSafeArgumentBytes)
        std::fprintf(stderr,
                     "note: merge.sbatch names %d shard files in %lld bytes: sbatch refuses scripts over "
                     "%lld bytes by default (max_script_size) and the command line may exceed the system's "
                     "limit (getconf ARG_MAX); fewer shards avoid that\n",
                     plan.shards, static_cast<long long>(mergeText.toUtf8().size()),
                     static_cast<long long>(kDefaultMaxScriptSize));
    std::printf("submit with:\n    bash %s\n", qPrintable(shellQuote(plan.dir + "/submit.sh")));
    return ExitOk;
}

} // namespace ood::cli
