<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <source>Confirmed unusual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewReport</name>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>confirmed unusual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>false alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>class %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 UTC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (UTC%2%3:%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame %1 has %2 scores for %3 detectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame %1 is flagged by %2 detectors, but %3 of its scores exceed the thresholds of the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>untitled session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review report: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OOD Inspector %1, out-of-distribution detection on endoscopy frames. Created %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created (local time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Application</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OOD Inspector %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not be scored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not scored yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged, not reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marked confirmed unusual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marked false alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Marked unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model and profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model SHA-256</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classes (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 × %2 pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile SHA-256</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detectors and thresholds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target TPR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AUROC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FPR at 95 % TPR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A frame is flagged when a detector&apos;s score exceeds its threshold; each threshold accepts the target share (TPR) of the in-distribution validation frames. AUROC and FPR at 95 % TPR are measured on the session&apos;s frames of known in-distribution and out-of-distribution groups; — when the session has no such groups.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged frames (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, frame %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (confidence %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review mark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note: none.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No frame was flagged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames that could not be scored (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The scores of all %n frame(s) are in the CSV export of this session.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Frame %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thumbnail not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heatmap of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heatmap not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>page %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no file name given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exists; choose another name or allow replacing it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no device to print the report on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the page is too small for the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot print the report on this device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot start page %1 of the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot finish printing the report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a preview needs 10 to 1200 dpi, not %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the report has no page %1; it has %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Explainable out-of-distribution inspection of endoscopy frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the bundled demo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open this profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use this model file instead of the profile&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User interface language: en or de.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images, folders or a profile to open.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::DensityPlot</name>
    <message>
        <source>Density of the detector&apos;s score on the ID validation frames (blue) and on the open frames (orange); the red line is the threshold, the black line the selected frame.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ID validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>open frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame (%1th percentile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 score (higher = more unusual)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>density</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::FrameTableModel</name>
    <message>
        <source>Confirmed unusual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>class %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not be scored: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, frame %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not scored yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Highest softmax probability of the prediction</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n detector(s) flag this frame</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 gave no score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 flags this frame: score %2 &gt; threshold %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: score %2 ≤ threshold %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thumbnail of the frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File name, and the frame number for video frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The class the model predicts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Highest softmax probability of the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many of the detectors flag the frame as unusual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the reviewer decided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reviewer&apos;s note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (id %2): flags a frame when its score exceeds the threshold %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::ImageView</name>
    <message>
        <source>Wheel: zoom around the cursor. Drag: pan. R: fit to the window. H: show or hide the heatmap.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No frame selected</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::LandscapePlot</name>
    <message>
        <source>The detector&apos;s score when the frame is nudged along two random directions (PRO&apos;s landscape); the cross is the frame itself. A steep landscape means a fragile score.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a (direction 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>b (direction 2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::MainWindow</name>
    <message>
        <source>OOD Inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames scored so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated time until every frame is scored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop scoring after the current batch; frames scored so far are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 frames, about %3 s left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scored %1 frames in %2 s; %3 could not be read (see the list).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scored %1 frames in %2 s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scoring cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scoring failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scoring failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a profile and frames, or the demo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a profile (.oodprofile) fitted with ood-inspect fit; its model is opened and checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OOD Inspector profiles (*.oodprofile);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Images…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add image files to the session and score them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add every image under a folder (recursively) and score them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the &amp;Demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the bundled demo model, profile and frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export Report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a PDF or HTML report of the flagged frames, with heatmaps and review marks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Scores as &amp;CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write every frame&apos;s scores as CSV.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close OOD Inspector.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole frame.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Actual Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One frame pixel per screen pixel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;Heatmap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the heatmap over the frame.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare Two Heatmaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show a second heatmap method side by side.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next Frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>J</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the next frame in the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Previous Frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>K</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the previous frame in the list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark the frame: the model should not be trusted on it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark the frame: ordinary, the detectors were wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark the frame as unsure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear Mark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the frame&apos;s review mark.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads and the threshold policy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About OOD Inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version and library versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h1&gt;OOD Inspector&lt;/h1&gt;&lt;p&gt;Find the endoscopy frames a classifier should not be trusted on, see why, and report.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click to open again (profiles open with their model).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You can also drop a profile, images or folders onto this window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only frames that at least one detector flags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only frames whose name contains this text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only frames predicted as this class.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only frames with this review state.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any review state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only frames that this detector flags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every frame of the session. Click a header to sort; J/K or the arrow keys move.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heatmap method: NERO relevance CAM, its deviation from the nearest class, Grad-CAM or LRP (docs/explanations.md).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heatmap method of the second view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity of the heatmap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-image range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-image: the colours span this frame&apos;s values. Fixed: they span the value set on the right, so frames can be compared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Largest |value| of the fixed colour range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heatmap:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour scale of the heatmap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pixel under the cursor and the heatmap value there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>x %1, y %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>x %1, y %2: %3 %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note (saved when you leave the field or pick a mark)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A note for the record; it is saved with the mark.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Density</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Neurons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every detector&apos;s score, threshold and percentile for this frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the frame falls in a detector&apos;s ID validation distribution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the score changes around the frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NERO: which neurons make the frame unlike the class it resembles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OOD Inspector — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile %1: %2, %3 detectors, model sha256 %4…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review marks from another model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The review marks in %1 were made with another model or profile. They are shown, but check them again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review marks are not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The review database could not be opened, so marks will not be kept: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a profile first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames are scored with a profile. Open a profile (File &gt; Open Profile) or the demo first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some inputs could not be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No images found in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This build carries no demo assets (resources/demo/build-assets.sh makes them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scoring %1 frames…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot show %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — predicted %2 (%3), flagged by %4 of %5 detectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Explaining %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot explain this frame: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nearest class &lt;b&gt;%1&lt;/b&gt;: relevance distance %2, bias term %3, feature-norm factor %4, NERO score %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NERO detector in this profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Explained in %1 s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 … %2  (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 flagged frames reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any predicted class</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Predicted %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged by any detector or none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to export yet: open frames first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to report yet: open frames first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scoring is running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait until every frame is scored (or cancel scoring) before writing a report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf);;HTML (*.html)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Making the heatmaps of the flagged frames…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote the report %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report cancelled; nothing written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thresholds now accept %1% of the ID validation frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads for the network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames per forward pass while scoring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid points per axis of the score landscape (odd); 21 costs 441 forward passes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold policy: each detector&apos;s threshold lets this share of the ID validation frames pass (true positive rate on ID validation).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ID frames accepted:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Landscape grid:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About OOD Inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;OOD Inspector %1&lt;/h3&gt;&lt;p&gt;Explainable out-of-distribution inspection of endoscopy frames.&lt;/p&gt;&lt;p&gt;git %2&lt;br&gt;Qt %3&lt;br&gt;LibTorch %4&lt;br&gt;OpenCV %5&lt;/p&gt;&lt;p&gt;Model files are code: open checkpoints and TorchScript files only from a trusted source. A profile refuses any model whose sha256 differs from the one it was fitted on.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::RelevancePlot</name>
    <message>
        <source>The neurons that add most to NERO&apos;s distance: the frame&apos;s relevance (orange) next to the mean relevance of the class the frame resembles (blue).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean of class %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>neuron (by contribution to NERO&apos;s distance)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>relevance</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::ScorePanel</name>
    <message>
        <source>How many detectors flag this frame (score above their threshold).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Percentile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Higher means more unusual, for every detector.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scores above it are flagged (chosen so that the target share of ID validation frames pass).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of ID validation frames with a lower or equal score.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a detector to see its density plot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No frame selected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>flagged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged by %1 of %2 detectors.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ood::ScoringJob</name>
    <message>
        <source>scoring failed for an unknown reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
