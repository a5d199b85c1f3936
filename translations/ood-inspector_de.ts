<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DetectorWords</name>
    <message>
        <source>Low confidence</source>
        <translation>Geringe Konfidenz</translation>
    </message>
    <message>
        <source>The model is less sure of its answer than it is on normal frames.</source>
        <translation>Das Modell ist sich seiner Antwort weniger sicher als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Low confidence, sharpened</source>
        <translation>Geringe Konfidenz, verschärft</translation>
    </message>
    <message>
        <source>Like low confidence, but measured after a tiny deliberate change to the image that raises the confidence of normal frames more than of unusual ones.</source>
        <translation>Wie „Geringe Konfidenz“, aber gemessen nach einer winzigen gezielten Änderung des Bildes, die die Konfidenz bei normalen Bildern stärker erhöht als bei ungewöhnlichen.</translation>
    </message>
    <message>
        <source>Weak overall response</source>
        <translation>Schwache Gesamtreaktion</translation>
    </message>
    <message>
        <source>Taken together, the model responds to the frame more weakly than to normal frames.</source>
        <translation>Insgesamt reagiert das Modell auf das Bild schwächer als auf normale Bilder.</translation>
    </message>
    <message>
        <source>Undecided between classes</source>
        <translation>Unentschieden zwischen Klassen</translation>
    </message>
    <message>
        <source>The model spreads its belief over several classes instead of settling on one.</source>
        <translation>Das Modell verteilt seine Einschätzung auf mehrere Klassen, statt sich für eine zu entscheiden.</translation>
    </message>
    <message>
        <source>Weak response to the top class</source>
        <translation>Schwache Reaktion auf die wahrscheinlichste Klasse</translation>
    </message>
    <message>
        <source>The model&apos;s response to the class it picks is weaker than on normal frames.</source>
        <translation>Die Reaktion des Modells auf die Klasse, die es wählt, ist schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Far from every class</source>
        <translation>Weit entfernt von jeder Klasse</translation>
    </message>
    <message>
        <source>What the model sees in the frame lies far from what it sees in the training images of every class.</source>
        <translation>Was das Modell im Bild erkennt, liegt weit entfernt von dem, was es in den Trainingsbildern jeder Klasse erkennt.</translation>
    </message>
    <message>
        <source>Outside the familiar range</source>
        <translation>Außerhalb des vertrauten Bereichs</translation>
    </message>
    <message>
        <source>Part of what the model sees in the frame lies outside the range the training images cover, and its response to the classes is weak.</source>
        <translation>Ein Teil dessen, was das Modell im Bild erkennt, liegt außerhalb des Bereichs, den die Trainingsbilder abdecken, und seine Reaktion auf die Klassen ist schwach.</translation>
    </message>
    <message>
        <source>Off the main patterns</source>
        <translation>Abseits der Hauptmuster</translation>
    </message>
    <message>
        <source>Less of what the model sees in the frame follows the main patterns of the training images than on normal frames.</source>
        <translation>Was das Modell im Bild erkennt, folgt den Hauptmustern der Trainingsbilder weniger als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Weak response, extremes capped</source>
        <translation>Schwache Reaktion, Extremwerte gekappt</translation>
    </message>
    <message>
        <source>The model&apos;s overall response, with unusually strong inner signals capped, is weaker than on normal frames.</source>
        <translation>Die Gesamtreaktion des Modells ist, wenn ungewöhnlich starke innere Signale gekappt werden, schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Little to learn from</source>
        <translation>Wenig daraus zu lernen</translation>
    </message>
    <message>
        <source>Training on the frame would change the model less than training on a normal frame would.</source>
        <translation>Ein Training mit diesem Bild würde das Modell weniger verändern als ein Training mit einem normalen Bild.</translation>
    </message>
    <message>
        <source>Unfamiliar neuron pattern</source>
        <translation>Unvertrautes Neuronenmuster</translation>
    </message>
    <message>
        <source>The pattern of neurons that drove the decision is unlike any seen in normal frames of its class.</source>
        <translation>Das Muster der Neuronen, die die Entscheidung bestimmt haben, gleicht keinem, das bei normalen Bildern dieser Klasse vorkommt.</translation>
    </message>
    <message>
        <source>No similar training image</source>
        <translation>Kein ähnliches Trainingsbild</translation>
    </message>
    <message>
        <source>Even the training images most similar to the frame, as the model sees them, are further from it than usual.</source>
        <translation>Selbst die Trainingsbilder, die dem Bild aus Sicht des Modells am ähnlichsten sind, liegen weiter von ihm entfernt als üblich.</translation>
    </message>
    <message>
        <source>Undecided among the likely classes</source>
        <translation>Unentschieden zwischen den wahrscheinlichen Klassen</translation>
    </message>
    <message>
        <source>The model&apos;s belief is spread over its most likely classes (a refined measure of indecision).</source>
        <translation>Die Einschätzung des Modells verteilt sich auf seine wahrscheinlichsten Klassen (ein verfeinertes Maß der Unentschiedenheit).</translation>
    </message>
    <message>
        <source>Low calibrated confidence</source>
        <translation>Geringe kalibrierte Konfidenz</translation>
    </message>
    <message>
        <source>The model&apos;s confidence, corrected on validation images so that it matches how often the model is right, is lower than on normal frames.</source>
        <translation>Die Konfidenz des Modells, an Validierungsbildern so korrigiert, dass sie der Trefferquote des Modells entspricht, ist niedriger als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Strongest signals, evened out</source>
        <translation>Stärkste Signale, angeglichen</translation>
    </message>
    <message>
        <source>Only the model&apos;s strongest inner signals are kept, all at one common level; the response that remains is weaker than on normal frames.</source>
        <translation>Nur die stärksten inneren Signale des Modells bleiben erhalten, alle auf einem gemeinsamen Niveau; die verbleibende Reaktion ist schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Strongest signals, amplified</source>
        <translation>Stärkste Signale, verstärkt</translation>
    </message>
    <message>
        <source>Only the model&apos;s strongest inner signals are kept, amplified by how much they dominate; the response that remains is weaker than on normal frames.</source>
        <translation>Nur die stärksten inneren Signale des Modells bleiben erhalten, verstärkt danach, wie sehr sie überwiegen; die verbleibende Reaktion ist schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Strongest signals only</source>
        <translation>Nur die stärksten Signale</translation>
    </message>
    <message>
        <source>Only the model&apos;s strongest inner signals are kept as they are; the response that remains is weaker than on normal frames.</source>
        <translation>Nur die stärksten inneren Signale des Modells bleiben unverändert erhalten; die verbleibende Reaktion ist schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Weak response, scaled by signal peaks</source>
        <translation>Schwache Reaktion, nach Signalspitzen skaliert</translation>
    </message>
    <message>
        <source>The model&apos;s response, scaled by how much its strongest inner signals dominate, is weaker than on normal frames.</source>
        <translation>Die Reaktion des Modells, skaliert danach, wie sehr seine stärksten inneren Signale überwiegen, ist schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Weak response on the main connections</source>
        <translation>Schwache Reaktion über die Hauptverbindungen</translation>
    </message>
    <message>
        <source>Using only the model&apos;s connections that matter most for the classes, its response is weaker than on normal frames.</source>
        <translation>Nur über die Verbindungen des Modells, die für die Klassen am meisten zählen, ist seine Reaktion schwächer als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Far from every class, relative</source>
        <translation>Weit entfernt von jeder Klasse, relativ</translation>
    </message>
    <message>
        <source>What the model sees lies far from every class compared with how far it lies from the training images as a whole.</source>
        <translation>Was das Modell erkennt, liegt weit entfernt von jeder Klasse, gemessen daran, wie weit es von den Trainingsbildern insgesamt entfernt liegt.</translation>
    </message>
    <message>
        <source>Close to a class border</source>
        <translation>Nahe an einer Klassengrenze</translation>
    </message>
    <message>
        <source>The frame sits closer to the borders between the classes than normal frames do.</source>
        <translation>Das Bild liegt näher an den Grenzen zwischen den Klassen als normale Bilder.</translation>
    </message>
    <message>
        <source>Unfamiliar learning direction</source>
        <translation>Unvertraute Lernrichtung</translation>
    </message>
    <message>
        <source>The way the frame would pull on the model in training is unlike that of any training image.</source>
        <translation>Die Richtung, in die das Bild das Modell beim Training ziehen würde, gleicht der keines Trainingsbildes.</translation>
    </message>
    <message>
        <source>Confidence easily shaken</source>
        <translation>Konfidenz leicht erschüttert</translation>
    </message>
    <message>
        <source>A tiny deliberate change to the image lowers the model&apos;s confidence more than on normal frames.</source>
        <translation>Eine winzige gezielte Änderung des Bildes senkt die Konfidenz des Modells stärker als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Indecision easily raised</source>
        <translation>Unentschiedenheit leicht gesteigert</translation>
    </message>
    <message>
        <source>A tiny deliberate change to the image leaves the model more undecided between classes than on normal frames.</source>
        <translation>Nach einer winzigen gezielten Änderung des Bildes ist das Modell zwischen den Klassen unentschiedener als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Softened confidence easily shaken</source>
        <translation>Geglättete Konfidenz leicht erschüttert</translation>
    </message>
    <message>
        <source>A tiny deliberate change to the image lowers the model&apos;s softened confidence more than on normal frames.</source>
        <translation>Eine winzige gezielte Änderung des Bildes senkt die geglättete Konfidenz des Modells stärker als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Refined indecision easily raised</source>
        <translation>Verfeinerte Unentschiedenheit leicht gesteigert</translation>
    </message>
    <message>
        <source>Small deliberate changes to the image leave the model more undecided among its likely classes than on normal frames.</source>
        <translation>Nach kleinen gezielten Änderungen des Bildes ist das Modell zwischen seinen wahrscheinlichen Klassen unentschiedener als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Weak learned response</source>
        <translation>Schwache gelernte Reaktion</translation>
    </message>
    <message>
        <source>The model&apos;s own confidence output, trained to tell familiar from unfamiliar images, is lower than on normal frames.</source>
        <translation>Die eigene Konfidenzausgabe des Modells, darauf trainiert, vertraute von unvertrauten Bildern zu unterscheiden, ist niedriger als bei normalen Bildern.</translation>
    </message>
    <message>
        <source>Poor match to the class names</source>
        <translation>Schlechte Übereinstimmung mit den Klassennamen</translation>
    </message>
    <message>
        <source>The picture matches the names of the expected classes less clearly than normal frames do.</source>
        <translation>Das Bild passt weniger deutlich zu den Namen der erwarteten Klassen als normale Bilder.</translation>
    </message>
    <message>
        <source>Matches unrelated words</source>
        <translation>Passt zu themenfremden Wörtern</translation>
    </message>
    <message>
        <source>The picture matches words unrelated to the expected classes almost as well as the classes themselves.</source>
        <translation>Das Bild passt zu Wörtern, die nichts mit den erwarteten Klassen zu tun haben, fast so gut wie zu den Klassen selbst.</translation>
    </message>
    <message>
        <source>Matches unrelated words, refined</source>
        <translation>Passt zu themenfremden Wörtern, verfeinert</translation>
    </message>
    <message>
        <source>The picture matches unrelated words, alone or combined with a class name, almost as well as the expected classes.</source>
        <translation>Das Bild passt zu themenfremden Wörtern, allein oder zusammen mit einem Klassennamen, fast so gut wie zu den erwarteten Klassen.</translation>
    </message>
</context>
<context>
    <name>HeatmapWords</name>
    <message>
        <source>Decision regions (NERO)</source>
        <translation>Entscheidungsregionen (NERO)</translation>
    </message>
    <message>
        <source>Where in the frame the neurons that drove the decision respond: red for the predicted class, blue against it. Coarse, one value per image region.</source>
        <translation>Wo im Bild die Neuronen reagieren, die die Entscheidung bestimmt haben: rot für die vorhergesagte Klasse, blau gegen sie. Grob, ein Wert pro Bildregion.</translation>
    </message>
    <message>
        <source>relevance per region</source>
        <translation>Relevanz pro Region</translation>
    </message>
    <message>
        <source>Unusual regions (NERO deviation)</source>
        <translation>Ungewöhnliche Regionen (NERO-Abweichung)</translation>
    </message>
    <message>
        <source>Where the frame&apos;s neuron pattern differs most from normal frames of the class it resembles: red where it has more, blue where it has less.</source>
        <translation>Wo das Neuronenmuster des Bildes am stärksten von normalen Bildern der Klasse abweicht, der es ähnelt: rot, wo es mehr hat, blau, wo es weniger hat.</translation>
    </message>
    <message>
        <source>difference from the class&apos;s usual relevance, per region</source>
        <translation>Abweichung von der üblichen Relevanz der Klasse, pro Region</translation>
    </message>
    <message>
        <source>Least relevant neurons (NERO)</source>
        <translation>Am wenigsten relevante Neuronen (NERO)</translation>
    </message>
    <message>
        <source>Where the neurons that mattered least for the decision respond.</source>
        <translation>Wo die Neuronen reagieren, die für die Entscheidung am wenigsten zählten.</translation>
    </message>
    <message>
        <source>Class activation (Grad-CAM)</source>
        <translation>Klassenaktivierung (Grad-CAM)</translation>
    </message>
    <message>
        <source>Regions that raise the model&apos;s answer for the predicted class. Coarse, one value per image region.</source>
        <translation>Regionen, die die Antwort des Modells für die vorhergesagte Klasse verstärken. Grob, ein Wert pro Bildregion.</translation>
    </message>
    <message>
        <source>class score per region</source>
        <translation>Klassenscore pro Region</translation>
    </message>
    <message>
        <source>Pixel relevance (LRP)</source>
        <translation>Pixelrelevanz (LRP)</translation>
    </message>
    <message>
        <source>How much each pixel adds to the predicted class (red) or takes from it (blue), traced back through the network layer by layer.</source>
        <translation>Wie viel jedes Pixel zur vorhergesagten Klasse beiträgt (rot) oder von ihr abzieht (blau), Schicht für Schicht durch das Netz zurückverfolgt.</translation>
    </message>
    <message>
        <source>share of the class score per pixel</source>
        <translation>Anteil am Klassenscore pro Pixel</translation>
    </message>
    <message>
        <source>Sensitive pixels (saliency)</source>
        <translation>Empfindliche Pixel (Saliency)</translation>
    </message>
    <message>
        <source>Pixels where a small change would change the model&apos;s answer for the predicted class most.</source>
        <translation>Pixel, an denen eine kleine Änderung die Antwort des Modells für die vorhergesagte Klasse am stärksten verändern würde.</translation>
    </message>
    <message>
        <source>sensitivity per pixel</source>
        <translation>Empfindlichkeit pro Pixel</translation>
    </message>
</context>
<context>
    <name>IntendedUse</name>
    <message>
        <source>OOD Inspector is a research tool. It is not a medical device and must not be used for diagnosis or treatment decisions. Its verdict says only whether a frame is unusual for the model it was set up with, not whether the frame is normal or what it shows.</source>
        <translation>OOD Inspector ist ein Forschungswerkzeug. Es ist kein Medizinprodukt und darf nicht für Diagnose- oder Therapieentscheidungen verwendet werden. Sein Urteil sagt nur, ob ein Bild für das Modell, mit dem es eingerichtet wurde, ungewöhnlich ist, nicht, ob das Bild normal ist oder was es zeigt.</translation>
    </message>
</context>
<context>
    <name>ReviewMark</name>
    <message>
        <source>Confirmed unusual</source>
        <translation>Auffällig bestätigt</translation>
    </message>
    <message>
        <source>confirmed unusual</source>
        <translation>auffällig bestätigt</translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation>Fehlalarm</translation>
    </message>
    <message>
        <source>false alarm</source>
        <translation>Fehlalarm</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Unsicher</translation>
    </message>
    <message>
        <source>unsure</source>
        <translation>unsicher</translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation>Nicht geprüft</translation>
    </message>
    <message>
        <source>not reviewed</source>
        <translation>nicht geprüft</translation>
    </message>
</context>
<context>
    <name>ReviewReport</name>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>class %1</source>
        <translation>Klasse %1</translation>
    </message>
    <message>
        <source>%1 UTC</source>
        <translation>%1 UTC</translation>
    </message>
    <message>
        <source>%1 (UTC%2%3:%4)</source>
        <translation>%1 (UTC%2%3:%4)</translation>
    </message>
    <message>
        <source>frame %1 has %2 scores for %3 detectors</source>
        <translation>Bild %1 hat %2 Scores für %3 Detektoren</translation>
    </message>
    <message>
        <source>frame %1 is flagged by %2 detectors, but %3 of its scores exceed the thresholds of the report</source>
        <translation>Bild %1 ist laut %2 Detektoren auffällig, aber %3 seiner Scores überschreiten die Schwellenwerte des Berichts</translation>
    </message>
    <message>
        <source>untitled session</source>
        <translation>unbenannte Sitzung</translation>
    </message>
    <message>
        <source>Review report: %1</source>
        <translation>Prüfbericht: %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>Created (UTC)</source>
        <translation>Erstellt (UTC)</translation>
    </message>
    <message>
        <source>Created (local time)</source>
        <translation>Erstellt (Ortszeit)</translation>
    </message>
    <message>
        <source>Reviewer</source>
        <translation>Geprüft von</translation>
    </message>
    <message>
        <source>not given</source>
        <translation>nicht angegeben</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>Anwendung</translation>
    </message>
    <message>
        <source>OOD Inspector %1</source>
        <translation>OOD Inspector %1</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Scored</source>
        <translation>Ausgewertet</translation>
    </message>
    <message>
        <source>Could not be scored</source>
        <translation>Nicht auswertbar</translation>
    </message>
    <message>
        <source>Not scored yet</source>
        <translation>Noch nicht ausgewertet</translation>
    </message>
    <message>
        <source>Marked confirmed unusual</source>
        <translation>Vermerk „auffällig bestätigt“</translation>
    </message>
    <message>
        <source>Marked false alarm</source>
        <translation>Vermerk „Fehlalarm“</translation>
    </message>
    <message>
        <source>Marked unsure</source>
        <translation>Vermerk „unsicher“</translation>
    </message>
    <message>
        <source>Model and profile</source>
        <translation>Modell und Profil</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>Modelldatei</translation>
    </message>
    <message>
        <source>Model SHA-256</source>
        <translation>SHA-256 des Modells</translation>
    </message>
    <message>
        <source>Classes (%1)</source>
        <translation>Klassen (%1)</translation>
    </message>
    <message>
        <source>Input size</source>
        <translation>Eingabegröße</translation>
    </message>
    <message>
        <source>%1 × %2 pixels</source>
        <translation>%1 × %2 Pixel</translation>
    </message>
    <message>
        <source>Profile file</source>
        <translation>Profildatei</translation>
    </message>
    <message>
        <source>Profile SHA-256</source>
        <translation>SHA-256 des Profils</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>Schwellenwert</translation>
    </message>
    <message>
        <source>Target TPR</source>
        <translation>Ziel-TPR</translation>
    </message>
    <message>
        <source>AUROC</source>
        <translation>AUROC</translation>
    </message>
    <message>
        <source>FPR at 95 % TPR</source>
        <translation>FPR bei 95 % TPR</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
    <message>
        <source>%1, frame %2</source>
        <translation>%1, Einzelbild %2</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Vorhersage</translation>
    </message>
    <message>
        <source>%1 (confidence %2)</source>
        <translation>%1 (Konfidenz %2)</translation>
    </message>
    <message>
        <source>%1 of %2: %3</source>
        <translation>%1 von %2: %3</translation>
    </message>
    <message>
        <source>Review mark</source>
        <translation>Prüfvermerk</translation>
    </message>
    <message>
        <source>Note: none.</source>
        <translation>Notiz: keine.</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>Notiz: %1</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Frames that could not be scored (%1)</source>
        <translation>Nicht auswertbare Bilder (%1)</translation>
    </message>
    <message>
        <source>Frame</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>All scores</source>
        <translation>Alle Scores</translation>
    </message>
    <message numerus="yes">
        <source>The scores of all %n frame(s) are in the CSV export of this session.</source>
        <translation>
            <numerusform>Der CSV-Export dieser Sitzung enthält die Scores des %n Bildes.</numerusform>
            <numerusform>Der CSV-Export dieser Sitzung enthält die Scores aller %n Bilder.</numerusform>
        </translation>
    </message>
    <message>
        <source>Frame %1</source>
        <translation>Bild %1</translation>
    </message>
    <message>
        <source>Thumbnail not available</source>
        <translation>Miniaturansicht nicht verfügbar</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>Heatmap</translation>
    </message>
    <message>
        <source>Heatmap of %1</source>
        <translation>Heatmap von %1</translation>
    </message>
    <message>
        <source>Heatmap not available</source>
        <translation>Heatmap nicht verfügbar</translation>
    </message>
    <message>
        <source>page %1 of %2</source>
        <translation>Seite %1 von %2</translation>
    </message>
    <message>
        <source>no file name given</source>
        <translation>kein Dateiname angegeben</translation>
    </message>
    <message>
        <source>%1 is a folder</source>
        <translation>%1 ist ein Ordner</translation>
    </message>
    <message>
        <source>%1 exists; choose another name or allow replacing it</source>
        <translation>%1 existiert bereits; wählen Sie einen anderen Namen oder erlauben Sie das Ersetzen</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>no device to print the report on</source>
        <translation>kein Gerät zum Drucken des Berichts vorhanden</translation>
    </message>
    <message>
        <source>the page is too small for the report</source>
        <translation>die Seite ist zu klein für den Bericht</translation>
    </message>
    <message>
        <source>cannot print the report on this device</source>
        <translation>der Bericht kann auf diesem Gerät nicht gedruckt werden</translation>
    </message>
    <message>
        <source>cannot start page %1 of the report</source>
        <translation>Seite %1 des Berichts kann nicht begonnen werden</translation>
    </message>
    <message>
        <source>cannot finish printing the report</source>
        <translation>der Druck des Berichts kann nicht abgeschlossen werden</translation>
    </message>
    <message>
        <source>a preview needs 10 to 1200 dpi, not %1</source>
        <translation>eine Vorschau benötigt 10 bis 1200 dpi, nicht %1</translation>
    </message>
    <message>
        <source>the report has no page %1; it has %2</source>
        <translation>der Bericht hat keine Seite %1; er hat %2</translation>
    </message>
    <message>
        <source>expected classes: %1</source>
        <translation>erwartete Klassen: %1</translation>
    </message>
    <message>
        <source>; other words: %1</source>
        <translation>; andere Wörter: %1</translation>
    </message>
    <message>
        <source>Resembles</source>
        <translation>Ähnelt</translation>
    </message>
    <message>
        <source>OOD Inspector %1: which endoscopy frames are unusual for a classification model. Created %2.</source>
        <translation>OOD Inspector %1: welche Endoskopiebilder für ein Klassifikationsmodell ungewöhnlich sind. Erstellt: %2.</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <source>%1 of %2 scored frames</source>
        <translation>%1 von %2 ausgewerteten Bildern</translation>
    </message>
    <message>
        <source>Unusual frames not yet reviewed</source>
        <translation>Ungewöhnliche Bilder, noch nicht geprüft</translation>
    </message>
    <message>
        <source>How the verdict is made: a frame is called “%1” when %2.</source>
        <translation>So entsteht das Urteil: Ein Bild gilt als „%1“, wenn %2.</translation>
    </message>
    <message>
        <source>How the verdict is made: %2, so no frame is called “%1”.</source>
        <translation>So entsteht das Urteil: %2; daher gilt kein Bild als „%1“.</translation>
    </message>
    <message>
        <source>False alarms: %1. This was measured on %2 normal frames set aside when the profile was made; frames from another hospital or scope may raise more.</source>
        <translation>Fehlalarme: %1. Gemessen wurde das an %2 normalen Bildern, die beim Erstellen des Profils zurückgelegt wurden; Bilder aus einer anderen Klinik oder von einem anderen Endoskop können mehr Fehlalarme auslösen.</translation>
    </message>
    <message>
        <source>False alarms: %1.</source>
        <translation>Fehlalarme: %1.</translation>
    </message>
    <message>
        <source>“%1” does not mean that a frame is normal: it means only that none of the checks found it unusual enough for the model. Every frame still needs a clinician&apos;s own judgement.</source>
        <translation>„%1“ heißt nicht, dass ein Bild normal ist: Es heißt nur, dass keine der Prüfungen es für das Modell ungewöhnlich genug fand. Jedes Bild bedarf weiterhin der eigenen ärztlichen Beurteilung.</translation>
    </message>
    <message>
        <source>Intended use: %1</source>
        <translation>Zweckbestimmung: %1</translation>
    </message>
    <message>
        <source>The checks in detail</source>
        <translation>Die Prüfungen im Einzelnen</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>What it looks at</source>
        <translation>Worauf sie achtet</translation>
    </message>
    <message>
        <source>Technical name</source>
        <translation>Technischer Name</translation>
    </message>
    <message>
        <source>Above threshold</source>
        <translation>Über dem Schwellenwert</translation>
    </message>
    <message>
        <source>For researchers: a check finds a frame unusual when its score exceeds its threshold; each threshold lets the target share (TPR) of the in-distribution validation frames pass. The verdict above combines the checks. AUROC and FPR at 95 % TPR are measured on the session&apos;s frames of known in-distribution and out-of-distribution groups; — when the session has no such groups.</source>
        <translation>Für Forschende: Eine Prüfung stuft ein Bild als ungewöhnlich ein, wenn ihr Score ihren Schwellenwert überschreitet; jeder Schwellenwert lässt den Zielanteil (TPR) der In-Distribution-Validierungsbilder passieren. Das Urteil oben fasst die Prüfungen zusammen. AUROC und FPR bei 95 % TPR werden an den Bildern der Sitzung mit bekannter In-Distribution- bzw. Out-of-Distribution-Gruppe gemessen; — wenn die Sitzung keine solchen Gruppen enthält.</translation>
    </message>
    <message>
        <source>Frames unusual for this model (%1)</source>
        <translation>Für dieses Modell ungewöhnliche Bilder (%1)</translation>
    </message>
    <message>
        <source>Checks that found it unusual</source>
        <translation>Prüfungen, die es als ungewöhnlich einstuften</translation>
    </message>
    <message>
        <source>No frame is unusual for this model.</source>
        <translation>Kein Bild ist für dieses Modell ungewöhnlich.</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <source>Unusual for this model</source>
        <translation>Ungewöhnlich für dieses Modell</translation>
    </message>
    <message>
        <source>Nothing unusual found</source>
        <translation>Nichts Ungewöhnliches gefunden</translation>
    </message>
    <message>
        <source>no normal frames to measure how often normal frames are flagged</source>
        <translation>keine normalen Bilder, an denen sich messen ließe, wie oft normale Bilder markiert werden</translation>
    </message>
    <message>
        <source>none of the normal frames checked is flagged</source>
        <translation>keines der geprüften normalen Bilder wird markiert</translation>
    </message>
    <message>
        <source>about %1% of normal frames are flagged</source>
        <translation>etwa %1 % der normalen Bilder werden markiert</translation>
    </message>
    <message>
        <source>about 1 in %1 normal frames is flagged</source>
        <translation>etwa 1 von %1 normalen Bildern wird markiert</translation>
    </message>
    <message>
        <source>no rule: the profile was fitted without normal validation frames</source>
        <translation>keine Regel, denn das Profil wurde ohne normale Validierungsbilder erstellt</translation>
    </message>
    <message>
        <source>the check %1 finds the frame unusual</source>
        <translation>die Prüfung „%1“ das Bild als ungewöhnlich einstuft</translation>
    </message>
    <message>
        <source>the one check finds the frame unusual</source>
        <translation>die eine Prüfung das Bild als ungewöhnlich einstuft</translation>
    </message>
    <message>
        <source>any of %1 checks finds the frame unusual</source>
        <translation>mindestens eine von %1 Prüfungen das Bild als ungewöhnlich einstuft</translation>
    </message>
    <message>
        <source>all %1 checks find the frame unusual</source>
        <translation>alle %1 Prüfungen das Bild als ungewöhnlich einstufen</translation>
    </message>
    <message>
        <source>at least %1 of %2 checks find the frame unusual</source>
        <translation>mindestens %1 von %2 Prüfungen das Bild als ungewöhnlich einstufen</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Explainable out-of-distribution inspection of endoscopy frames.</source>
        <translation>Erklärbare Out-of-Distribution-Prüfung von Endoskopiebildern.</translation>
    </message>
    <message>
        <source>Open the bundled demo.</source>
        <translation>Die mitgelieferte Demo öffnen.</translation>
    </message>
    <message>
        <source>Open this profile.</source>
        <translation>Dieses Profil öffnen.</translation>
    </message>
    <message>
        <source>Use this model file instead of the profile&apos;s.</source>
        <translation>Diese Modelldatei statt der des Profils verwenden.</translation>
    </message>
    <message>
        <source>User interface language: en or de.</source>
        <translation>Sprache der Benutzeroberfläche: en oder de.</translation>
    </message>
    <message>
        <source>Images, folders, videos, a profile or a results file (.csv) to open.</source>
        <translation>Zu öffnende Bilder, Ordner, Videos, ein Profil oder eine Ergebnisdatei (.csv).</translation>
    </message>
</context>
<context>
    <name>ood::DensityPlot</name>
    <message>
        <source>Density of the detector&apos;s score on the ID validation frames (blue) and on the open frames (orange); the red line is the threshold, the black line the selected frame.</source>
        <translation>Dichte des Detektor-Scores auf den ID-Validierungsbildern (blau) und den geöffneten Bildern (orange); die rote Linie ist der Schwellenwert, die schwarze Linie das ausgewählte Bild.</translation>
    </message>
    <message>
        <source>ID validation</source>
        <translation>ID-Validierung</translation>
    </message>
    <message>
        <source>open frames</source>
        <translation>geöffnete Bilder</translation>
    </message>
    <message>
        <source>threshold</source>
        <translation>Schwellenwert</translation>
    </message>
    <message>
        <source>frame (%1th percentile)</source>
        <translation>Bild (Perzentil %1)</translation>
    </message>
    <message>
        <source>frame</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>%1 score (higher = more unusual)</source>
        <translation>%1-Score (höher = auffälliger)</translation>
    </message>
    <message>
        <source>density</source>
        <translation>Dichte</translation>
    </message>
</context>
<context>
    <name>ood::FrameListPane</name>
    <message>
        <source>Flagged only</source>
        <translation>Nur auffällige</translation>
    </message>
    <message>
        <source>Filter by name</source>
        <translation>Nach Name filtern</translation>
    </message>
    <message>
        <source>Show only frames whose name contains this text.</source>
        <translation>Nur Bilder anzeigen, deren Name diesen Text enthält.</translation>
    </message>
    <message>
        <source>Show only frames predicted as this class.</source>
        <translation>Nur Bilder anzeigen, für die diese Klasse vorhergesagt wird.</translation>
    </message>
    <message>
        <source>Show only frames with this review state.</source>
        <translation>Nur Bilder mit diesem Prüfstatus anzeigen.</translation>
    </message>
    <message>
        <source>Any review state</source>
        <translation>Jeder Prüfstatus</translation>
    </message>
    <message>
        <source>Show only frames that this detector flags.</source>
        <translation>Nur Bilder anzeigen, die dieser Detektor als auffällig einstuft.</translation>
    </message>
    <message>
        <source>Every frame of the session. Click a header to sort; J/K or the arrow keys move.</source>
        <translation>Alle Bilder der Sitzung. Zum Sortieren auf eine Spaltenüberschrift klicken; J/K oder die Pfeiltasten wechseln das Bild.</translation>
    </message>
    <message>
        <source>&amp;Next Frame</source>
        <translation>&amp;Nächstes Bild</translation>
    </message>
    <message>
        <source>J</source>
        <translation>J</translation>
    </message>
    <message>
        <source>Select the next frame in the list.</source>
        <translation>Das nächste Bild der Liste auswählen.</translation>
    </message>
    <message>
        <source>&amp;Previous Frame</source>
        <translation>&amp;Vorheriges Bild</translation>
    </message>
    <message>
        <source>K</source>
        <translation>K</translation>
    </message>
    <message>
        <source>Select the previous frame in the list.</source>
        <translation>Das vorherige Bild der Liste auswählen.</translation>
    </message>
    <message>
        <source>Any predicted class</source>
        <translation>Jede vorhergesagte Klasse</translation>
    </message>
    <message>
        <source>Predicted %1</source>
        <translation>Vorhersage %1</translation>
    </message>
    <message>
        <source>Flagged by any detector or none</source>
        <translation>Auffällig laut beliebigem oder keinem Detektor</translation>
    </message>
    <message>
        <source>Flagged by %1</source>
        <translation>Auffällig laut %1</translation>
    </message>
    <message>
        <source>Show only frames the verdict calls unusual for this model.</source>
        <translation>Nur Bilder anzeigen, die das Urteil als ungewöhnlich für dieses Modell einstuft.</translation>
    </message>
    <message>
        <source>%1 %2 &amp;nbsp; %3 %4</source>
        <translation>%1 %2 &amp;nbsp; %3 %4</translation>
    </message>
    <message>
        <source>a detector&apos;s score above its threshold</source>
        <translation>Score eines Detektors über seinem Schwellenwert</translation>
    </message>
    <message>
        <source>A tinted row is a frame the verdict calls unusual. A darker cell is a detector that finds the frame unusual on its own; the verdict weighs them together.</source>
        <translation>Eine getönte Zeile ist ein Bild, das das Urteil als ungewöhnlich einstuft. Eine dunklere Zelle ist ein Detektor, der das Bild für sich allein als ungewöhnlich einstuft; das Urteil wägt sie gemeinsam ab.</translation>
    </message>
</context>
<context>
    <name>ood::FrameTableModel</name>
    <message>
        <source>Confirmed unusual</source>
        <translation>Auffällig bestätigt</translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation>Fehlalarm</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Unsicher</translation>
    </message>
    <message>
        <source>Not reviewed</source>
        <translation>Nicht geprüft</translation>
    </message>
    <message>
        <source>class %1</source>
        <translation>Klasse %1</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Could not be scored: %1</source>
        <translation>Nicht auswertbar: %1</translation>
    </message>
    <message>
        <source>%1, frame %2</source>
        <translation>%1, Einzelbild %2</translation>
    </message>
    <message>
        <source>Not scored yet</source>
        <translation>Noch nicht ausgewertet</translation>
    </message>
    <message>
        <source>%1 gave no score</source>
        <translation>%1 lieferte keinen Score</translation>
    </message>
    <message>
        <source>Frame</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Vorhersage</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Thumbnail of the frame</source>
        <translation>Miniaturansicht des Bildes</translation>
    </message>
    <message>
        <source>File name, and the frame number for video frames</source>
        <translation>Dateiname, bei Videobildern mit Bildnummer</translation>
    </message>
    <message>
        <source>The class the model predicts</source>
        <translation>Die vom Modell vorhergesagte Klasse</translation>
    </message>
    <message>
        <source>What the reviewer decided</source>
        <translation>Entscheidung der prüfenden Person</translation>
    </message>
    <message>
        <source>The reviewer&apos;s note</source>
        <translation>Notiz der prüfenden Person</translation>
    </message>
    <message>
        <source>Unusual, %1 of %2</source>
        <translation>Ungewöhnlich, %1 von %2</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>How sure the model is of its prediction (its highest class probability)</source>
        <translation>Wie sicher sich das Modell seiner Vorhersage ist (seine höchste Klassenwahrscheinlichkeit)</translation>
    </message>
    <message>
        <source>Unusual for this model: the verdict calls the frame unusual. %1 of %2 detectors find it unusual on their own.</source>
        <translation>Ungewöhnlich für dieses Modell: Das Urteil stuft das Bild als ungewöhnlich ein. %1 von %2 Detektoren stufen es für sich allein als ungewöhnlich ein.</translation>
    </message>
    <message>
        <source>The verdict found nothing unusual (%1 of %2 detectors find the frame unusual on their own). This does not mean the frame is normal.</source>
        <translation>Das Urteil hat nichts Ungewöhnliches gefunden (%1 von %2 Detektoren stufen das Bild für sich allein als ungewöhnlich ein). Das heißt nicht, dass das Bild normal ist.</translation>
    </message>
    <message>
        <source>%1 finds the frame unusual: score %2 &gt; threshold %3</source>
        <translation>%1 stuft das Bild als ungewöhnlich ein: Score %2 &gt; Schwellenwert %3</translation>
    </message>
    <message>
        <source>%1 finds nothing unusual: score %2 ≤ threshold %3</source>
        <translation>%1 findet nichts Ungewöhnliches: Score %2 ≤ Schwellenwert %3</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <source>&quot;Unusual&quot; when the profile&apos;s rule calls the frame unusual for this model; then how many of the detectors find it unusual on their own (k of n). Without &quot;Unusual&quot; nothing unusual was found, which does not mean the frame is normal.</source>
        <translation>„Ungewöhnlich“, wenn die Regel des Profils das Bild als ungewöhnlich für dieses Modell einstuft; danach, wie viele der Detektoren es für sich allein als ungewöhnlich einstufen (k von n). Ohne „Ungewöhnlich“ wurde nichts Ungewöhnliches gefunden, was nicht heißt, dass das Bild normal ist.</translation>
    </message>
    <message>
        <source>%1 (id %2): finds a frame unusual when its score is above %3.</source>
        <translation>%1 (ID %2): stuft ein Bild als ungewöhnlich ein, wenn sein Score über %3 liegt.</translation>
    </message>
</context>
<context>
    <name>ood::FrameViewer</name>
    <message>
        <source>Opacity of the heatmap</source>
        <translation>Deckkraft der Heatmap</translation>
    </message>
    <message>
        <source>Per-image range</source>
        <translation>Bereich je Bild</translation>
    </message>
    <message>
        <source>Fixed range</source>
        <translation>Fester Bereich</translation>
    </message>
    <message>
        <source>Per-image: the colours span this frame&apos;s values. Fixed: they span the value set on the right, so frames can be compared.</source>
        <translation>Je Bild: Die Farben umfassen die Werte dieses Bildes. Fest: Sie umfassen den rechts eingestellten Wertebereich, sodass sich Bilder vergleichen lassen.</translation>
    </message>
    <message>
        <source>Largest |value| of the fixed colour range</source>
        <translation>Größter |Wert| des festen Farbbereichs</translation>
    </message>
    <message>
        <source>Heatmap:</source>
        <translation>Heatmap:</translation>
    </message>
    <message>
        <source>Opacity:</source>
        <translation>Deckkraft:</translation>
    </message>
    <message>
        <source>Colour scale of the heatmap</source>
        <translation>Farbskala der Heatmap</translation>
    </message>
    <message>
        <source>Pixel under the cursor and the heatmap value there</source>
        <translation>Pixel unter dem Mauszeiger und der dortige Heatmap-Wert</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>An &amp;Fenster anpassen</translation>
    </message>
    <message>
        <source>R</source>
        <translation>R</translation>
    </message>
    <message>
        <source>Show the whole frame.</source>
        <translation>Das ganze Bild anzeigen.</translation>
    </message>
    <message>
        <source>&amp;Actual Size</source>
        <translation>&amp;Originalgröße</translation>
    </message>
    <message>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <source>One frame pixel per screen pixel.</source>
        <translation>Ein Bildpixel pro Bildschirmpixel.</translation>
    </message>
    <message>
        <source>Show &amp;Heatmap</source>
        <translation>&amp;Heatmap anzeigen</translation>
    </message>
    <message>
        <source>H</source>
        <translation>H</translation>
    </message>
    <message>
        <source>Show or hide the heatmap over the frame.</source>
        <translation>Die Heatmap über dem Bild ein- oder ausblenden.</translation>
    </message>
    <message>
        <source>&amp;Compare Two Heatmaps</source>
        <translation>Zwei Heatmaps &amp;vergleichen</translation>
    </message>
    <message>
        <source>C</source>
        <translation>C</translation>
    </message>
    <message>
        <source>Show a second heatmap method side by side.</source>
        <translation>Eine zweite Heatmap-Methode daneben anzeigen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — not scored yet</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — noch nicht ausgewertet</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — could not be scored: %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — nicht auswertbar: %2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1 … %2  (%3)</source>
        <translation>%1 … %2  (%3)</translation>
    </message>
    <message>
        <source>x %1, y %2</source>
        <translation>x %1, y %2</translation>
    </message>
    <message>
        <source>x %1, y %2: %3 %4</source>
        <translation>x %1, y %2: %3 %4</translation>
    </message>
    <message>
        <source>Select a frame of a video (File &gt; Open Video) to see its score along the video.</source>
        <translation>Wählen Sie ein Bild eines Videos (Datei &gt; Video öffnen), um seinen Score entlang des Videos zu sehen.</translation>
    </message>
    <message>
        <source>What the colours over the frame show. Point at a choice for what it means.</source>
        <translation>Was die Farben über dem Bild zeigen. Zeigen Sie auf einen Eintrag, um zu sehen, was er bedeutet.</translation>
    </message>
    <message>
        <source>What the colours over the second view show.</source>
        <translation>Was die Farben über der zweiten Ansicht zeigen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — the model predicts %2 (confidence %3%)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — das Modell sagt %2 vorher (Konfidenz %3 %)</translation>
    </message>
    <message>
        <source>No verdict</source>
        <translation>Kein Urteil</translation>
    </message>
    <message>
        <source>This profile was made without normal frames to compare with, so it cannot tell what is unusual for the model. The checks&apos; scores are in the Scores tab.</source>
        <translation>Dieses Profil wurde ohne normale Vergleichsbilder erstellt und kann daher nicht erkennen, was für das Modell ungewöhnlich ist. Die Scores der Prüfungen stehen im Reiter „Scores“.</translation>
    </message>
    <message>
        <source>Ask for a profile fitted with validation frames (normal frames the model was not trained on).</source>
        <translation>Fragen Sie nach einem Profil, das mit Validierungsbildern erstellt wurde (normalen Bildern, mit denen das Modell nicht trainiert wurde).</translation>
    </message>
    <message>
        <source>Called unusual when %1; for this frame %2 of %3 checks do. The rule was set so that %4.</source>
        <translation>Als ungewöhnlich gilt ein Bild, wenn %1; bei diesem Bild trifft das auf %2 von %3 Prüfungen zu. Die Regel ist so eingestellt: %4.</translation>
    </message>
    <message>
        <source>This does not mean the frame is normal: the checks can miss what is unusual. Look at the frame yourself.</source>
        <translation>Das heißt nicht, dass das Bild normal ist: Die Prüfungen können Ungewöhnliches übersehen. Sehen Sie sich das Bild selbst an.</translation>
    </message>
    <message>
        <source>The frame is unlike the frames the model knows. Check it yourself; the model&apos;s answer on it should not be trusted.</source>
        <translation>Das Bild gleicht nicht den Bildern, die das Modell kennt. Prüfen Sie es selbst; der Antwort des Modells auf dieses Bild ist nicht zu trauen.</translation>
    </message>
    <message>
        <source>%1
Method: %2; values: %3</source>
        <translation>%1
Methode: %2; Werte: %3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>ood::ImageView</name>
    <message>
        <source>Wheel: zoom around the cursor. Drag: pan. R: fit to the window. H: show or hide the heatmap.</source>
        <translation>Mausrad: um den Mauszeiger zoomen. Ziehen: verschieben. R: an das Fenster anpassen. H: Heatmap ein- oder ausblenden.</translation>
    </message>
    <message>
        <source>No frame selected</source>
        <translation>Kein Bild ausgewählt</translation>
    </message>
</context>
<context>
    <name>ood::LandscapePlot</name>
    <message>
        <source>The detector&apos;s score when the frame is nudged along two random directions (PRO&apos;s landscape); the cross is the frame itself. A steep landscape means a fragile score.</source>
        <translation>Der Score des Detektors, wenn das Bild entlang zweier zufälliger Richtungen leicht verändert wird (Landschaft nach PRO); das Kreuz ist das Bild selbst. Eine steile Landschaft bedeutet einen instabilen Score.</translation>
    </message>
    <message>
        <source>%1 score</source>
        <translation>%1-Score</translation>
    </message>
    <message>
        <source>a (direction 1)</source>
        <translation>a (Richtung 1)</translation>
    </message>
    <message>
        <source>b (direction 2)</source>
        <translation>b (Richtung 2)</translation>
    </message>
</context>
<context>
    <name>ood::MainWindow</name>
    <message>
        <source>OOD Inspector</source>
        <translation>OOD Inspector</translation>
    </message>
    <message>
        <source>Open a profile and frames, or the demo.</source>
        <translation>Öffnen Sie ein Profil und Bilder oder die Demo.</translation>
    </message>
    <message>
        <source>&amp;Export Report…</source>
        <translation>Bericht &amp;exportieren…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Write a PDF or HTML report of the flagged frames, with heatmaps and review marks.</source>
        <translation>Einen PDF- oder HTML-Bericht der auffälligen Bilder mit Heatmaps und Prüfvermerken erstellen.</translation>
    </message>
    <message>
        <source>Export Scores as &amp;CSV…</source>
        <translation>Scores als &amp;CSV exportieren…</translation>
    </message>
    <message>
        <source>Write every frame&apos;s scores as CSV.</source>
        <translation>Die Scores aller Bilder als CSV speichern.</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Close OOD Inspector.</source>
        <translation>OOD Inspector schließen.</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;About OOD Inspector</source>
        <translation>&amp;Über OOD Inspector</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Gehe zu</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>&amp;Prüfung</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet…</translation>
    </message>
    <message>
        <source>Cannot open the profile</source>
        <translation>Profil kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Could not open %1.</source>
        <translation>%1 konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>OOD Inspector — %1</source>
        <translation>OOD Inspector — %1</translation>
    </message>
    <message>
        <source>Profile %1: %2, %3 detectors, model sha256 %4…</source>
        <translation>Profil %1: %2, %3 Detektoren, Modell-sha256 %4…</translation>
    </message>
    <message>
        <source>Open a profile first</source>
        <translation>Zuerst ein Profil öffnen</translation>
    </message>
    <message>
        <source>Frames are scored with a profile. Open a profile (File &gt; Open Profile) or the demo first.</source>
        <translation>Bilder werden mit einem Profil ausgewertet. Öffnen Sie zuerst ein Profil (Datei &gt; Profil öffnen) oder die Demo.</translation>
    </message>
    <message>
        <source>Some inputs could not be opened</source>
        <translation>Einige Eingaben konnten nicht geöffnet werden</translation>
    </message>
    <message>
        <source>No images found in %1.</source>
        <translation>Keine Bilder in %1 gefunden.</translation>
    </message>
    <message>
        <source>Scoring %1 frames…</source>
        <translation>%1 Bilder werden ausgewertet…</translation>
    </message>
    <message>
        <source>Cannot show %1: %2</source>
        <translation>%1 kann nicht angezeigt werden: %2</translation>
    </message>
    <message>
        <source>Explaining %1…</source>
        <translation>%1 wird erklärt…</translation>
    </message>
    <message>
        <source>Cannot explain this frame: %1</source>
        <translation>Dieses Bild kann nicht erklärt werden: %1</translation>
    </message>
    <message>
        <source>Explained in %1 s.</source>
        <translation>In %1 s erklärt.</translation>
    </message>
    <message>
        <source>Explaining %1: heatmaps next…</source>
        <translation>%1 wird erklärt: als Nächstes die Heatmaps…</translation>
    </message>
    <message>
        <source>Explaining %1: score landscape next…</source>
        <translation>%1 wird erklärt: als Nächstes die Score-Landschaft…</translation>
    </message>
    <message>
        <source>Landscape %1×%1 … %2×%2</source>
        <translation>Landschaft %1×%1 … %2×%2</translation>
    </message>
    <message>
        <source>Landscape %1×%1</source>
        <translation>Landschaft %1×%1</translation>
    </message>
    <message>
        <source>Explaining %1: %2</source>
        <translation>%1 wird erklärt: %2</translation>
    </message>
    <message>
        <source>Thresholds now accept %1% of the ID validation frames.</source>
        <translation>Die Schwellenwerte akzeptieren jetzt %1 % der ID-Validierungsbilder.</translation>
    </message>
    <message>
        <source>About OOD Inspector</source>
        <translation>Über OOD Inspector</translation>
    </message>
    <message>
        <source>Threads, detectors, the threshold policy, video sampling and the language.</source>
        <translation>Threads, Detektoren, Schwellenwert-Regel, Video-Abtastung und Sprache.</translation>
    </message>
    <message>
        <source>Frame %1 is hidden by the filters.</source>
        <translation>Bild %1 ist durch die Filter ausgeblendet.</translation>
    </message>
    <message>
        <source>Open &amp;Results…</source>
        <translation>&amp;Ergebnisse öffnen…</translation>
    </message>
    <message>
        <source>Open a results file of ood-inspect score or merge with its scores, to review it without scoring again; its profile is opened and checked.</source>
        <translation>Eine Ergebnisdatei von ood-inspect score oder merge mit ihren Scores öffnen, um sie ohne erneute Auswertung zu prüfen; ihr Profil wird geöffnet und geprüft.</translation>
    </message>
    <message>
        <source>Open results</source>
        <translation>Ergebnisse öffnen</translation>
    </message>
    <message>
        <source>Results of ood-inspect (*.csv);;All files (*)</source>
        <translation>Ergebnisse von ood-inspect (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot open the results</source>
        <translation>Die Ergebnisse können nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Opened %1 frames from %2 (%3).</source>
        <translation>%1 Bilder aus %2 geöffnet (%3).</translation>
    </message>
    <message>
        <source>Some results could not be used</source>
        <translation>Einige Ergebnisse konnten nicht verwendet werden</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Rechengenauigkeit</translation>
    </message>
    <message>
        <source>The network runs in float32: %1</source>
        <translation>Das Netz rechnet in float32: %1</translation>
    </message>
    <message>
        <source>Scores only, no flags</source>
        <translation>Nur Werte, keine Markierungen</translation>
    </message>
    <message>
        <source>This profile was made without validation pictures, so it has no thresholds: every frame gets its scores, but none is flagged as unusual. Fit the profile again with a validation folder to flag frames.</source>
        <translation>Dieses Profil wurde ohne Validierungsbilder erstellt und hat daher keine Schwellen: Jedes Bild erhält seine Werte, aber keines wird als ungewöhnlich markiert. Erstellen Sie das Profil mit einem Validierungsordner neu, um Bilder zu markieren.</translation>
    </message>
    <message>
        <source>Cannot change the precision</source>
        <translation>Die Rechengenauigkeit kann nicht geändert werden</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>&amp;Anleitung</translation>
    </message>
    <message>
        <source>A short guide for reviewers: what the verdict means and what it does not, how to review frames and write the report.</source>
        <translation>Eine kurze Anleitung für die Prüfung: was das Urteil bedeutet und was nicht, wie Sie Bilder prüfen und den Bericht erstellen.</translation>
    </message>
    <message>
        <source>Version, library versions and the intended use.</source>
        <translation>Version, Bibliotheksversionen und die Zweckbestimmung.</translation>
    </message>
    <message>
        <source>The model was found where you located it before: %1</source>
        <translation>Das Modell wurde dort gefunden, wo Sie es zuvor angegeben haben: %1</translation>
    </message>
    <message>
        <source>Model not found</source>
        <translation>Modell nicht gefunden</translation>
    </message>
    <message>
        <source>This profile needs the model file it was made with, and it is not at
%1

It may have been moved, or the profile came without it. Locate the model file: only the exact model the profile was made with is accepted (it is checked by its SHA-256), and its place is remembered.</source>
        <translation>Dieses Profil braucht die Modelldatei, mit der es erstellt wurde, und diese liegt nicht unter
%1

Sie wurde vielleicht verschoben, oder das Profil kam ohne sie. Suchen Sie die Modelldatei: Angenommen wird nur genau das Modell, mit dem das Profil erstellt wurde (geprüft anhand seiner SHA-256), und sein Ort wird gespeichert.</translation>
    </message>
    <message>
        <source>The file chosen last was refused: %1</source>
        <translation>Die zuletzt gewählte Datei wurde abgelehnt: %1</translation>
    </message>
    <message>
        <source>Locate Model…</source>
        <translation>Modell suchen…</translation>
    </message>
    <message>
        <source>Locate the model</source>
        <translation>Das Modell suchen</translation>
    </message>
    <message>
        <source>Model files (*.pt *.pth *.ts *.ckpt *.bin *.safetensors);;All files (*)</source>
        <translation>Modelldateien (*.pt *.pth *.ts *.ckpt *.bin *.safetensors);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&lt;h3&gt;OOD Inspector %1&lt;/h3&gt;&lt;p&gt;Explainable out-of-distribution inspection of endoscopy frames.&lt;/p&gt;&lt;p&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/p&gt;&lt;p&gt;git %2&lt;br&gt;Qt %3&lt;br&gt;LibTorch %4&lt;br&gt;OpenCV %5&lt;/p&gt;&lt;p&gt;Model files are code: open checkpoints and TorchScript files only from a trusted source. A profile refuses any model whose sha256 differs from the one it was fitted on.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;OOD Inspector %1&lt;/h3&gt;&lt;p&gt;Erklärbare Out-of-Distribution-Prüfung von Endoskopiebildern.&lt;/p&gt;&lt;p&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/p&gt;&lt;p&gt;git %2&lt;br&gt;Qt %3&lt;br&gt;LibTorch %4&lt;br&gt;OpenCV %5&lt;/p&gt;&lt;p&gt;Modelldateien sind Code: Öffnen Sie Checkpoints und TorchScript-Dateien nur aus vertrauenswürdiger Quelle. Ein Profil lehnt jedes Modell ab, dessen sha256 von dem des Modells abweicht, mit dem es erstellt wurde.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>OOD Inspector User Guide</source>
        <translation>OOD Inspector: Anleitung</translation>
    </message>
</context>
<context>
    <name>ood::PlotTabs</name>
    <message>
        <source>Scores</source>
        <translation>Scores</translation>
    </message>
    <message>
        <source>Density</source>
        <translation>Dichte</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>Landschaft</translation>
    </message>
    <message>
        <source>Neurons</source>
        <translation>Neuronen</translation>
    </message>
    <message>
        <source>ROC</source>
        <translation>ROC</translation>
    </message>
    <message>
        <source>Where the frame falls in a detector&apos;s ID validation distribution</source>
        <translation>Wo das Bild in der ID-Validierungsverteilung eines Detektors liegt</translation>
    </message>
    <message>
        <source>How the score changes around the frame</source>
        <translation>Wie sich der Score in der Umgebung des Bildes ändert</translation>
    </message>
    <message>
        <source>NERO: which neurons make the frame unlike the class it resembles</source>
        <translation>NERO: welche Neuronen das Bild von der Klasse unterscheiden, der es ähnelt</translation>
    </message>
    <message>
        <source>ROC curves of the detectors when the open folders say which frames are ID (a folder named id) and which OOD (ood, near-ood, far-ood)</source>
        <translation>ROC-Kurven der Detektoren, wenn die geöffneten Ordner sagen, welche Bilder ID (ein Ordner namens id) und welche OOD sind (ood, near-ood, far-ood)</translation>
    </message>
    <message>
        <source>No NERO detector in this profile.</source>
        <translation>Dieses Profil enthält keinen NERO-Detektor.</translation>
    </message>
    <message>
        <source>Nearest class &lt;b&gt;%1&lt;/b&gt;: relevance distance %2, bias term %3, feature-norm factor %4, NERO score %5.</source>
        <translation>Nächstgelegene Klasse &lt;b&gt;%1&lt;/b&gt;: Relevanzdistanz %2, Bias-Term %3, Merkmalsnorm-Faktor %4, NERO-Score %5.</translation>
    </message>
    <message>
        <source>ROC curves need open frames of both kinds: put ID frames under a folder named &lt;i&gt;id&lt;/i&gt; and unusual ones under &lt;i&gt;ood&lt;/i&gt; (or near-ood, far-ood) and open the parent folder. Open now: %1 ID, %2 OOD.</source>
        <translation>ROC-Kurven brauchen geöffnete Bilder beider Arten: ID-Bilder in einen Ordner namens &lt;i&gt;id&lt;/i&gt;, ungewöhnliche in &lt;i&gt;ood&lt;/i&gt; (oder near-ood, far-ood), dann den übergeordneten Ordner öffnen. Jetzt geöffnet: %1 ID, %2 OOD.</translation>
    </message>
    <message>
        <source>Words</source>
        <translation>Wörter</translation>
    </message>
    <message>
        <source>A CLIP model&apos;s verdict in words: which expected classes and which other words the frame resembles</source>
        <translation>Das Urteil eines CLIP-Modells in Worten: welchen erwarteten Klassen und welchen anderen Wörtern das Bild ähnelt</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Expected classes&lt;/b&gt;, most similar first (cosine similarity of the picture and the words):&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Erwartete Klassen&lt;/b&gt;, die ähnlichste zuerst (Kosinus-Ähnlichkeit von Bild und Wörtern):&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;This profile has no list of other words (fit NegLabel or NegRefine to get one).&lt;/p&gt;</source>
        <translation>&lt;p&gt;Dieses Profil hat keine Liste anderer Wörter (NegLabel oder NegRefine anpassen, um eine zu erhalten).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Other words&lt;/b&gt; the picture resembles most. When these come close to the expected classes, the frame is flagged as unfamiliar:&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Andere Wörter&lt;/b&gt;, denen das Bild am meisten ähnelt. Kommen diese den erwarteten Klassen nahe, wird das Bild als ungewohnt markiert:&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:gray&apos;&gt;Words from %1 (%2).&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:gray&apos;&gt;Wörter aus %1 (%2).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>The verdict and every check on this frame: how it compares with normal frames, its score and threshold</source>
        <translation>Das Urteil und jede Prüfung für dieses Bild: Vergleich mit normalen Bildern, Score und Schwellenwert</translation>
    </message>
</context>
<context>
    <name>ood::RelevancePlot</name>
    <message>
        <source>The neurons that add most to NERO&apos;s distance: the frame&apos;s relevance (orange) next to the mean relevance of the class the frame resembles (blue).</source>
        <translation>Die Neuronen, die am stärksten zur NERO-Distanz beitragen: die Relevanz des Bildes (orange) neben der mittleren Relevanz der Klasse, der das Bild ähnelt (blau).</translation>
    </message>
    <message>
        <source>mean of class %1</source>
        <translation>Mittelwert der Klasse %1</translation>
    </message>
    <message>
        <source>this frame</source>
        <translation>dieses Bild</translation>
    </message>
    <message>
        <source>neuron (by contribution to NERO&apos;s distance)</source>
        <translation>Neuron (nach Beitrag zur NERO-Distanz)</translation>
    </message>
    <message>
        <source>relevance</source>
        <translation>Relevanz</translation>
    </message>
</context>
<context>
    <name>ood::ReportExport</name>
    <message>
        <source>Nothing to report yet: open frames first.</source>
        <translation>Noch nichts für einen Bericht vorhanden: Öffnen Sie zuerst Bilder.</translation>
    </message>
    <message>
        <source>Scoring is running</source>
        <translation>Auswertung läuft</translation>
    </message>
    <message>
        <source>Wait until every frame is scored (or cancel scoring) before writing a report.</source>
        <translation>Warten Sie, bis alle Bilder ausgewertet sind (oder brechen Sie die Auswertung ab), bevor Sie einen Bericht erstellen.</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;HTML (*.html)</source>
        <translation>PDF (*.pdf);;HTML (*.html)</translation>
    </message>
    <message>
        <source>Making the heatmaps of the flagged frames…</source>
        <translation>Heatmaps der auffälligen Bilder werden erstellt…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Wrote the report %1.</source>
        <translation>Bericht %1 gespeichert.</translation>
    </message>
    <message>
        <source>Report cancelled; nothing written.</source>
        <translation>Bericht abgebrochen; nichts gespeichert.</translation>
    </message>
    <message>
        <source>Nothing to export yet: open frames first.</source>
        <translation>Noch nichts zu exportieren: Öffnen Sie zuerst Bilder.</translation>
    </message>
    <message>
        <source>Export scores</source>
        <translation>Scores exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
</context>
<context>
    <name>ood::ResultsOpening</name>
    <message>
        <source>Cannot open the results</source>
        <translation>Die Ergebnisse können nicht geöffnet werden</translation>
    </message>
    <message>
        <source>%1 was scored with another profile (sha256 %2…) than %3 holds now (sha256 %4…): the profile was changed or fitted again since. Open the profile that scored the frames, or score the frames again.</source>
        <translation>%1 wurde mit einem anderen Profil ausgewertet (sha256 %2…), als %3 jetzt enthält (sha256 %4…): Das Profil wurde seitdem geändert oder neu angepasst. Öffnen Sie das Profil, mit dem die Bilder ausgewertet wurden, oder werten Sie die Bilder neu aus.</translation>
    </message>
    <message>
        <source>Where is the profile %1 (sha256 %2…) that scored these results?</source>
        <translation>Wo ist das Profil %1 (sha256 %2…), mit dem diese Ergebnisse ausgewertet wurden?</translation>
    </message>
    <message>
        <source>OOD Inspector profiles (*.oodprofile);;All files (*)</source>
        <translation>OOD-Inspector-Profile (*.oodprofile);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>%1 is not the profile that scored %2: its sha256 is %3…, the results were scored with %4…. Open the profile that scored the frames, or score the frames again.</source>
        <translation>%1 ist nicht das Profil, mit dem %2 ausgewertet wurde: Seine sha256 ist %3…, die Ergebnisse wurden mit %4… ausgewertet. Öffnen Sie das Profil, mit dem die Bilder ausgewertet wurden, oder werten Sie die Bilder neu aus.</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>unlesbar</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) of the results are not on this computer (first: %1); their scores are shown, their pictures and explanations are not.</source>
        <translation>
            <numerusform>%n Datei der Ergebnisse ist nicht auf diesem Computer (%1); ihre Scores werden gezeigt, ihr Bild und ihre Erklärungen nicht.</numerusform>
            <numerusform>%n Dateien der Ergebnisse sind nicht auf diesem Computer (erste: %1); ihre Scores werden gezeigt, ihre Bilder und Erklärungen nicht.</numerusform>
        </translation>
    </message>
    <message>
        <source>scored by ood-inspect with %1</source>
        <translation>ausgewertet von ood-inspect mit %1</translation>
    </message>
    <message>
        <source>, shard %1</source>
        <translation>, Shard %1</translation>
    </message>
    <message numerus="yes">
        <source>, %n shard(s) missing</source>
        <translation>
            <numerusform>, %n Shard fehlt</numerusform>
            <numerusform>, %n Shards fehlen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ood::ReviewPanel</name>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Mark the frame: the model should not be trusted on it.</source>
        <translation>Bild markieren: Dem Modell sollte bei diesem Bild nicht vertraut werden.</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>Mark the frame: ordinary, the detectors were wrong.</source>
        <translation>Bild markieren: unauffällig, die Detektoren lagen falsch.</translation>
    </message>
    <message>
        <source>2</source>
        <translation>2</translation>
    </message>
    <message>
        <source>Mark the frame as unsure.</source>
        <translation>Bild als unsicher markieren.</translation>
    </message>
    <message>
        <source>3</source>
        <translation>3</translation>
    </message>
    <message>
        <source>Clear Mark</source>
        <translation>Vermerk entfernen</translation>
    </message>
    <message>
        <source>Remove the frame&apos;s review mark.</source>
        <translation>Den Prüfvermerk des Bildes entfernen.</translation>
    </message>
    <message>
        <source>0</source>
        <translation>0</translation>
    </message>
    <message>
        <source>Note (saved when you leave the field or pick a mark)</source>
        <translation>Notiz (wird gespeichert, wenn Sie das Feld verlassen oder einen Vermerk wählen)</translation>
    </message>
    <message>
        <source>A note for the record; it is saved with the mark.</source>
        <translation>Eine Notiz für die Dokumentation; sie wird mit dem Vermerk gespeichert.</translation>
    </message>
    <message>
        <source>Review marks are saved in %1</source>
        <translation>Prüfvermerke werden in %1 gespeichert</translation>
    </message>
    <message>
        <source>%1 of %2 flagged frames reviewed</source>
        <translation>%1 von %2 auffälligen Bildern geprüft</translation>
    </message>
    <message>
        <source>Mark not saved</source>
        <translation>Vermerk nicht gespeichert</translation>
    </message>
    <message>
        <source>Note not saved: %1</source>
        <translation>Notiz nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Review marks are saved elsewhere</source>
        <translation>Prüfvermerke werden anderswo gespeichert</translation>
    </message>
    <message>
        <source>%1 is read-only; review marks are saved in %2.</source>
        <translation>%1 ist schreibgeschützt; Prüfvermerke werden in %2 gespeichert.</translation>
    </message>
    <message>
        <source>Review marks from another model</source>
        <translation>Prüfvermerke eines anderen Modells</translation>
    </message>
    <message>
        <source>The review marks in %1 were made with another model. They are shown, but check them again.</source>
        <translation>Die Prüfvermerke in %1 wurden mit einem anderen Modell erstellt. Sie werden angezeigt, aber prüfen Sie sie erneut.</translation>
    </message>
    <message>
        <source>Review marks are not saved</source>
        <translation>Prüfvermerke werden nicht gespeichert</translation>
    </message>
    <message>
        <source>The review database could not be opened, so marks will not be kept: %1</source>
        <translation>Die Prüfdatenbank konnte nicht geöffnet werden, daher werden Vermerke nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Clear mark</source>
        <translation>Vermerk entfernen</translation>
    </message>
    <message>
        <source>%1 Key: %2</source>
        <translation>%1 Taste: %2</translation>
    </message>
</context>
<context>
    <name>ood::RocPlot</name>
    <message>
        <source>ROC curves of every detector on the open frames, with OOD frames as positives: grey for all, colour for the detector chosen in the Scores tab.</source>
        <translation>ROC-Kurven aller Detektoren auf den geöffneten Bildern, OOD-Bilder als Positive: grau für alle, farbig für den im Reiter Scores gewählten Detektor.</translation>
    </message>
    <message>
        <source>%1 (AUROC %2)</source>
        <translation>%1 (AUROC %2)</translation>
    </message>
    <message>
        <source>No detector has scores on both groups yet.</source>
        <translation>Noch kein Detektor hat Scores für beide Gruppen.</translation>
    </message>
    <message>
        <source>%1 ID and %2 OOD frames (from the folder names). Best AUROC: %3, %4.</source>
        <translation>%1 ID- und %2 OOD-Bilder (aus den Ordnernamen). Beste AUROC: %3, %4.</translation>
    </message>
    <message>
        <source>false positive rate (ID frames flagged)</source>
        <translation>Falsch-Positiv-Rate (als auffällig gemeldete ID-Bilder)</translation>
    </message>
    <message>
        <source>true positive rate (OOD frames flagged)</source>
        <translation>Richtig-Positiv-Rate (als auffällig gemeldete OOD-Bilder)</translation>
    </message>
    <message>
        <source>%1, the detector chosen in the Scores tab</source>
        <translation>%1, der im Reiter „Scores“ gewählte Detektor</translation>
    </message>
    <message>
        <source>the other detectors</source>
        <translation>die übrigen Detektoren</translation>
    </message>
    <message>
        <source>chance: a detector that guesses</source>
        <translation>Zufall: ein Detektor, der rät</translation>
    </message>
    <message>
        <source>A curve further to the top left separates the OOD frames from the ID frames better; AUROC 1 is perfect, 0.5 is chance.</source>
        <translation>Je weiter oben links eine Kurve verläuft, desto besser trennt sie die OOD-Bilder von den ID-Bildern; AUROC 1 ist perfekt, 0,5 entspricht dem Zufall.</translation>
    </message>
</context>
<context>
    <name>ood::ScorePanel</name>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>Schwellenwert</translation>
    </message>
    <message>
        <source>No frame selected.</source>
        <translation>Kein Bild ausgewählt.</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Explaining…</source>
        <translation>Wird erklärt…</translation>
    </message>
    <message>
        <source>higher than all</source>
        <translation>höher als alle</translation>
    </message>
    <message>
        <source>higher than %1%</source>
        <translation>höher als %1 %</translation>
    </message>
    <message>
        <source>The verdict of the profile&apos;s rule, and how many checks find the frame unusual on their own (score above their threshold).</source>
        <translation>Das Urteil nach der Regel des Profils und wie viele Prüfungen das Bild für sich allein als ungewöhnlich einstufen (Score über ihrem Schwellenwert).</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Unusual?</source>
        <translation>Ungewöhnlich?</translation>
    </message>
    <message>
        <source>Among normal frames</source>
        <translation>Unter normalen Bildern</translation>
    </message>
    <message>
        <source>What each check looks at. Point at a name for what it means.</source>
        <translation>Worauf jede Prüfung achtet. Zeigen Sie auf einen Namen, um zu sehen, was er bedeutet.</translation>
    </message>
    <message>
        <source>How the frame&apos;s score compares with the normal frames the profile was set up with (frames like those the model was trained on, but not used for training): &quot;higher than 97%&quot; means only 3% of normal frames score as high or higher.</source>
        <translation>Wie der Score des Bildes im Vergleich zu den normalen Bildern liegt, mit denen das Profil eingerichtet wurde (Bilder wie jene, mit denen das Modell trainiert wurde, die aber nicht zum Training dienten): „höher als 97 %“ heißt, dass nur 3 % der normalen Bilder einen ebenso hohen oder höheren Score haben.</translation>
    </message>
    <message>
        <source>The check finds the frame unusual when its score is above its threshold.</source>
        <translation>Die Prüfung stuft das Bild als ungewöhnlich ein, wenn ihr Score über ihrem Schwellenwert liegt.</translation>
    </message>
    <message>
        <source>The check&apos;s raw score: higher means more unusual. Each check has a scale of its own, so compare scores only with the same check&apos;s threshold.</source>
        <translation>Der Rohscore der Prüfung: höher heißt ungewöhnlicher. Jede Prüfung hat ihre eigene Skala; vergleichen Sie Scores daher nur mit dem Schwellenwert derselben Prüfung.</translation>
    </message>
    <message>
        <source>Scores above it count as unusual. It is set so that most normal frames stay below it (the profile&apos;s target share).</source>
        <translation>Scores darüber gelten als ungewöhnlich. Er ist so gesetzt, dass die meisten normalen Bilder darunter bleiben (der Zielanteil des Profils).</translation>
    </message>
    <message>
        <source>Pick a check to see its density plot.</source>
        <translation>Wählen Sie eine Prüfung, um ihr Dichtediagramm zu sehen.</translation>
    </message>
    <message>
        <source>%1 (id %2)</source>
        <translation>%1 (ID %2)</translation>
    </message>
    <message>
        <source>%1
Technical name: %2 (id %3)</source>
        <translation>%1
Technischer Name: %2 (ID %3)</translation>
    </message>
    <message>
        <source>The profile holds no normal frames to compare this check with.</source>
        <translation>Das Profil enthält keine normalen Bilder, mit denen sich diese Prüfung vergleichen ließe.</translation>
    </message>
    <message>
        <source>The frame&apos;s score is higher than %1% of the normal frames&apos; scores.</source>
        <translation>Der Score des Bildes ist höher als %1 % der Scores der normalen Bilder.</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>This check finds the frame unusual: its score is above its threshold.</source>
        <translation>Diese Prüfung stuft das Bild als ungewöhnlich ein: Ihr Score liegt über ihrem Schwellenwert.</translation>
    </message>
    <message>
        <source>This check finds nothing unusual: its score is not above its threshold.</source>
        <translation>Diese Prüfung findet nichts Ungewöhnliches: Ihr Score liegt nicht über ihrem Schwellenwert.</translation>
    </message>
    <message>
        <source>%1 of %2 checks find the frame unusual on their own.</source>
        <translation>%1 von %2 Prüfungen stufen das Bild für sich allein als ungewöhnlich ein.</translation>
    </message>
    <message>
        <source>No verdict</source>
        <translation>Kein Urteil</translation>
    </message>
    <message>
        <source>The profile has no normal frames to compare with, so it cannot tell what is unusual for the model.</source>
        <translation>Das Profil hat keine normalen Vergleichsbilder und kann daher nicht erkennen, was für das Modell ungewöhnlich ist.</translation>
    </message>
    <message>
        <source>Rule: called unusual when %1.</source>
        <translation>Regel: ungewöhnlich, wenn %1.</translation>
    </message>
</context>
<context>
    <name>ood::ScoringJob</name>
    <message>
        <source>scoring failed for an unknown reason</source>
        <translation>Auswertung aus unbekanntem Grund fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ood::SessionStatusBar</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Estimated time until every frame is scored</source>
        <translation>Geschätzte Zeit, bis alle Bilder ausgewertet sind</translation>
    </message>
    <message>
        <source>Frames scored so far</source>
        <translation>Bisher ausgewertete Bilder</translation>
    </message>
    <message>
        <source>Stop scoring after the current batch; frames scored so far are kept.</source>
        <translation>Auswertung nach dem aktuellen Stapel beenden; bereits ausgewertete Bilder bleiben erhalten.</translation>
    </message>
    <message>
        <source>%1 of %2 frames, about %3 s left</source>
        <translation>%1 von %2 Bildern, noch etwa %3 s</translation>
    </message>
    <message>
        <source>%1 of %2 frames</source>
        <translation>%1 von %2 Bildern</translation>
    </message>
    <message>
        <source>Scored %1 frames in %2 s; %3 could not be read (see the list).</source>
        <translation>%1 Bilder in %2 s ausgewertet; %3 konnten nicht gelesen werden (siehe Liste).</translation>
    </message>
    <message>
        <source>Scored %1 frames in %2 s.</source>
        <translation>%1 Bilder in %2 s ausgewertet.</translation>
    </message>
    <message>
        <source>Scoring cancelled.</source>
        <translation>Auswertung abgebrochen.</translation>
    </message>
    <message>
        <source>Scoring failed: %1</source>
        <translation>Auswertung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Scoring failed</source>
        <translation>Auswertung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Model sha256 %1…</source>
        <translation>Modell-sha256 %1…</translation>
    </message>
    <message>
        <source>Model %1
sha256 %2
Profile %3
sha256 %4
Computation: %5</source>
        <translation>Modell %1
sha256 %2
Profil %3
sha256 %4
Berechnung: %5</translation>
    </message>
</context>
<context>
    <name>ood::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>CPU threads for the network</source>
        <translation>CPU-Threads für das Netz</translation>
    </message>
    <message>
        <source>Frames per forward pass while scoring</source>
        <translation>Bilder pro Vorwärtsdurchlauf bei der Auswertung</translation>
    </message>
    <message>
        <source>Grid points per axis of the score landscape (odd); 21 costs 441 forward passes</source>
        <translation>Gitterpunkte je Achse der Score-Landschaft (ungerade); 21 kostet 441 Vorwärtsdurchläufe</translation>
    </message>
    <message>
        <source>Threshold policy: each detector&apos;s threshold lets this share of the ID validation frames pass (true positive rate on ID validation).</source>
        <translation>Schwellenwertregel: Der Schwellenwert jedes Detektors lässt diesen Anteil der ID-Validierungsbilder passieren (Richtig-positiv-Rate auf der ID-Validierung).</translation>
    </message>
    <message>
        <source>Videos opened from now on are inspected at every n-th frame; 1 inspects every frame</source>
        <translation>Ab jetzt geöffnete Videos werden bei jedem n-ten Bild untersucht; 1 untersucht jedes Bild</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language of the interface; it changes when OOD Inspector starts next</source>
        <translation>Sprache der Oberfläche; sie wechselt beim nächsten Start von OOD Inspector</translation>
    </message>
    <message>
        <source>Detectors that score the frames and count for flags. Leaving out the slow ones (ODIN, PRO) makes scoring several times faster.</source>
        <translation>Detektoren, die die Bilder bewerten und für das Urteil „auffällig“ zählen. Ohne die langsamen (ODIN, PRO) geht die Bewertung um ein Vielfaches schneller.</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <source>ID frames accepted:</source>
        <translation>Akzeptierte ID-Bilder:</translation>
    </message>
    <message>
        <source>Detectors:</source>
        <translation>Detektoren:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Stapelgröße:</translation>
    </message>
    <message>
        <source>Landscape grid:</source>
        <translation>Landschaftsgitter:</translation>
    </message>
    <message>
        <source>Video: every n-th frame:</source>
        <translation>Video: jedes n-te Bild:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>float32 (exact)</source>
        <translation>float32 (genau)</translation>
    </message>
    <message>
        <source>bfloat16 (faster, scores shift slightly)</source>
        <translation>bfloat16 (schneller, Werte verschieben sich leicht)</translation>
    </message>
    <message>
        <source>Number format of the network. bfloat16 is faster on this processor; scores change slightly, so a profile fitted in float32 may flag a few frames differently.</source>
        <translation>Zahlenformat des Netzes. bfloat16 ist auf diesem Prozessor schneller; die Werte ändern sich leicht, daher kann ein in float32 angepasstes Profil einige Bilder anders markieren.</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Rechengenauigkeit:</translation>
    </message>
    <message>
        <source>e.g. Dr. A. Meier</source>
        <translation>z. B. Dr. A. Meier</translation>
    </message>
    <message>
        <source>Your name as the reviewer: saved with every mark you set and printed in the report. Leave it empty to stay unnamed.</source>
        <translation>Ihr Name als Prüfer: Er wird mit jedem Vermerk gespeichert, den Sie setzen, und im Bericht gedruckt. Lassen Sie das Feld leer, um ungenannt zu bleiben.</translation>
    </message>
    <message>
        <source>Technical name: %1 (%2)</source>
        <translation>Technischer Name: %1 (%2)</translation>
    </message>
    <message>
        <source>Reviewer:</source>
        <translation>Prüfer:</translation>
    </message>
</context>
<context>
    <name>ood::TimelinePlot</name>
    <message>
        <source>, %1 s</source>
        <translation>, %1 s</translation>
    </message>
    <message>
        <source>video frame</source>
        <translation>Videobild</translation>
    </message>
    <message>
        <source>%1 score</source>
        <translation>%1-Score</translation>
    </message>
    <message>
        <source>The chosen detector&apos;s score along the video; red bands are stretches the verdict calls unusual, the dashed line is the detector&apos;s threshold. Click to jump to a frame; the wheel zooms.</source>
        <translation>Der Score des gewählten Detektors entlang des Videos; rote Bänder sind Abschnitte, die das Urteil als ungewöhnlich einstuft, die gestrichelte Linie ist der Schwellenwert des Detektors. Ein Klick springt zum Bild; das Mausrad zoomt.</translation>
    </message>
    <message>
        <source>score of %1</source>
        <translation>Score von %1</translation>
    </message>
    <message>
        <source>its threshold</source>
        <translation>sein Schwellenwert</translation>
    </message>
    <message>
        <source>frames called unusual</source>
        <translation>als ungewöhnlich eingestufte Bilder</translation>
    </message>
    <message>
        <source>the selected frame</source>
        <translation>das ausgewählte Bild</translation>
    </message>
    <message>
        <source>%1: %2 sampled frames%3; %4 unusual in %5 stretches. Score: %6.</source>
        <translation>%1: %2 abgetastete Bilder%3; %4 ungewöhnlich in %5 Abschnitten. Score: %6.</translation>
    </message>
</context>
<context>
    <name>ood::WelcomePage</name>
    <message>
        <source>Open &amp;Profile…</source>
        <translation>&amp;Profil öffnen…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Open a profile (.oodprofile) fitted with ood-inspect fit; its model is opened and checked.</source>
        <translation>Ein mit ood-inspect fit erstelltes Profil (.oodprofile) öffnen; sein Modell wird geöffnet und geprüft.</translation>
    </message>
    <message>
        <source>Open profile</source>
        <translation>Profil öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Images…</source>
        <translation>B&amp;ilder öffnen…</translation>
    </message>
    <message>
        <source>Add image files to the session and score them.</source>
        <translation>Bilddateien zur Sitzung hinzufügen und auswerten.</translation>
    </message>
    <message>
        <source>Open images</source>
        <translation>Bilder öffnen</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;All files (*)</source>
        <translation>Bilder (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>Add every image under a folder (recursively) and score them.</source>
        <translation>Alle Bilder in einem Ordner (rekursiv) hinzufügen und auswerten.</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Video…</source>
        <translation>&amp;Video öffnen…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+V</source>
        <translation>Ctrl+Shift+V</translation>
    </message>
    <message>
        <source>Add a video (every n-th frame, see Settings) to the session and score its frames.</source>
        <translation>Ein Video (jedes n-te Bild, siehe Einstellungen) zur Sitzung hinzufügen und seine Bilder bewerten.</translation>
    </message>
    <message>
        <source>Open video</source>
        <translation>Video öffnen</translation>
    </message>
    <message>
        <source>Videos (%1);;All files (*)</source>
        <translation>Videos (%1);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open the &amp;Demo</source>
        <translation>&amp;Demo öffnen</translation>
    </message>
    <message>
        <source>Open the bundled demo model, profile and frames.</source>
        <translation>Das mitgelieferte Demo-Modell mit Profil und Bildern öffnen.</translation>
    </message>
    <message>
        <source>&lt;h1&gt;OOD Inspector&lt;/h1&gt;&lt;p&gt;Find the endoscopy frames a classifier should not be trusted on, see why, and report.&lt;/p&gt;</source>
        <translation>&lt;h1&gt;OOD Inspector&lt;/h1&gt;&lt;p&gt;Finden Sie die Endoskopiebilder, bei denen einem Klassifikator nicht vertraut werden sollte, sehen Sie, warum, und erstellen Sie einen Bericht.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>Zuletzt geöffnet:</translation>
    </message>
    <message>
        <source>Double-click to open again (profiles open with their model).</source>
        <translation>Doppelklicken, um erneut zu öffnen (Profile werden mit ihrem Modell geöffnet).</translation>
    </message>
    <message>
        <source>You can also drop a profile, images or folders onto this window.</source>
        <translation>Sie können auch ein Profil, Bilder oder Ordner auf dieses Fenster ziehen.</translation>
    </message>
    <message>
        <source>No demo</source>
        <translation>Keine Demo</translation>
    </message>
    <message>
        <source>This build carries no demo assets (resources/demo/build-assets.sh makes them).</source>
        <translation>Dieser Build enthält keine Demo-Daten (resources/demo/build-assets.sh erzeugt sie).</translation>
    </message>
    <message>
        <source>Cannot open the demo</source>
        <translation>Demo kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>OOD Inspector profiles (*.oodprofile *.oodbundle);;All files (*)</source>
        <translation>OOD-Inspector-Profile (*.oodprofile *.oodbundle);;Alle Dateien (*)</translation>
    </message>
</context>
</TS>
