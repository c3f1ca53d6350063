<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AdminSignController</name>
    <message>
        <source>Your password</source>
        <translation>Ihr Passwort</translation>
    </message>
    <message>
        <source>Reason (mandatory)</source>
        <translation>Begründung (Pflicht)</translation>
    </message>
    <message>
        <source>User administration</source>
        <translation>Benutzerverwaltung</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
    <message>
        <source>SIGN</source>
        <translation>SIGNIEREN</translation>
    </message>
</context>
<context>
    <name>ChangePassword</name>
    <message>
        <source>Enter your current (initial) password.</source>
        <translation>Geben Sie Ihr aktuelles (Initial-)Passwort ein.</translation>
    </message>
    <message>
        <source>The new password needs at least %1 characters.</source>
        <translation>Das neue Passwort braucht mindestens %1 Zeichen.</translation>
    </message>
    <message>
        <source>The new password must differ from the current one.</source>
        <translation>Das neue Passwort muss sich vom aktuellen unterscheiden.</translation>
    </message>
    <message>
        <source>The two new passwords do not match.</source>
        <translation>Die beiden neuen Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>CheckView</name>
    <message>
        <source>YES</source>
        <translation>JA</translation>
    </message>
    <message>
        <source>NO</source>
        <translation>NEIN</translation>
    </message>
</context>
<context>
    <name>DeviationController</name>
    <message>
        <source>What happened</source>
        <translation>Was ist passiert</translation>
    </message>
    <message>
        <source>Raise a deviation</source>
        <translation>Abweichung melden</translation>
    </message>
    <message>
        <source>RAISE THE DEVIATION</source>
        <translation>ABWEICHUNG MELDEN</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <source>Scale: none</source>
        <translation>Waage: keine</translation>
    </message>
    <message>
        <source>Scale: DISCONNECTED</source>
        <translation>Waage: GETRENNT</translation>
    </message>
    <message>
        <source>Scale: FAULT</source>
        <translation>Waage: STÖRUNG</translation>
    </message>
    <message>
        <source>Scale: connected</source>
        <translation>Waage: verbunden</translation>
    </message>
    <message>
        <source>Scale: stable</source>
        <translation>Waage: stabil</translation>
    </message>
    <message>
        <source>Scale: moving</source>
        <translation>Waage: unruhig</translation>
    </message>
    <message>
        <source>Scanner: keyboard</source>
        <translation>Scanner: Tastatur</translation>
    </message>
    <message>
        <source>Scanner: ready</source>
        <translation>Scanner: bereit</translation>
    </message>
    <message>
        <source>Scanner: DISCONNECTED</source>
        <translation>Scanner: GETRENNT</translation>
    </message>
</context>
<context>
    <name>EquipmentView</name>
    <message>
        <source>Scan the equipment label (or type its id and press Enter)</source>
        <translation>Anlagenetikett scannen (oder ID eingeben und Enter drücken)</translation>
    </message>
    <message>
        <source>CONTINUE  ▶</source>
        <translation>WEITER  ▶</translation>
    </message>
    <message>
        <source>Scan the equipment: %1</source>
        <translation>Anlage scannen: %1</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>NOT OK</source>
        <translation>NICHT OK</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>nicht geprüft</translation>
    </message>
</context>
<context>
    <name>Forms</name>
    <message>
        <source>Material</source>
        <translation>Material</translation>
    </message>
    <message>
        <source>Equipment</source>
        <translation>Anlage</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Prozess</translation>
    </message>
    <message>
        <source>Documentation</source>
        <translation>Dokumentation</translation>
    </message>
    <message>
        <source>Safety</source>
        <translation>Sicherheit</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Sonstiges</translation>
    </message>
    <message>
        <source>CONTINUE THE BATCH</source>
        <extracomment>How a supervisor may decide on a check that stopped the batch (``on_failure: block``).</extracomment>
        <translation>CHARGE FORTSETZEN</translation>
    </message>
    <message>
        <source>REPEAT THE CHECK</source>
        <translation>PRÜFUNG WIEDERHOLEN</translation>
    </message>
    <message>
        <source>HOLD THE BATCH</source>
        <translation>CHARGE ANHALTEN</translation>
    </message>
    <message>
        <source>Supervisor: enter the user id or scan the badge.</source>
        <translation>Vorgesetzte(r): Benutzer-ID eingeben oder Ausweis scannen.</translation>
    </message>
    <message>
        <source>Enter the supervisor&apos;s password.</source>
        <translation>Passwort der/des Vorgesetzten eingeben.</translation>
    </message>
    <message>
        <source>Choose how the batch goes on.</source>
        <translation>Wählen Sie, wie es mit der Charge weitergeht.</translation>
    </message>
    <message>
        <source>A reason is mandatory (at least %1 characters).</source>
        <translation>Eine Begründung ist Pflicht (mindestens %1 Zeichen).</translation>
    </message>
    <message>
        <source>Describe the deviation (at least %1 characters).</source>
        <translation>Beschreiben Sie die Abweichung (mindestens %1 Zeichen).</translation>
    </message>
    <message>
        <source>Choose a category.</source>
        <translation>Wählen Sie eine Kategorie.</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>No batch open</source>
        <translation>Keine Charge geöffnet</translation>
    </message>
</context>
<context>
    <name>HealthPage</name>
    <message>
        <source>Station health</source>
        <translation>Zustand der Station</translation>
    </message>
    <message>
        <source>What `mes-station doctor` checks; the devices are shown in the header above.</source>
        <translation>Was `mes-station doctor` prüft; die Geräte zeigt die Kopfzeile oben.</translation>
    </message>
    <message>
        <source>CHECK AGAIN</source>
        <translation>ERNEUT PRÜFEN</translation>
    </message>
    <message>
        <source>USER ACCOUNTS</source>
        <translation>BENUTZERKONTEN</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
</context>
<context>
    <name>HoldController</name>
    <message>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
    <message>
        <source>Resume the batch</source>
        <translation>Charge fortsetzen</translation>
    </message>
    <message>
        <source>Put the batch on hold</source>
        <translation>Charge anhalten</translation>
    </message>
    <message>
        <source>A reason for resuming (optional).</source>
        <translation>Begründung für das Fortsetzen (optional).</translation>
    </message>
    <message>
        <source>Why is the batch put on hold?</source>
        <translation>Warum wird die Charge angehalten?</translation>
    </message>
    <message>
        <source>RESUME</source>
        <translation>FORTSETZEN</translation>
    </message>
    <message>
        <source>HOLD THE BATCH</source>
        <translation>CHARGE ANHALTEN</translation>
    </message>
</context>
<context>
    <name>Home</name>
    <message>
        <source>In progress</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>No approved recipe on this station.</source>
        <translation>Kein freigegebenes Rezept an dieser Station.</translation>
    </message>
    <message>
        <source>Enter the batch id.</source>
        <translation>Geben Sie die Chargennummer ein.</translation>
    </message>
    <message>
        <source>Batch id: 2 to 40 letters, digits, &apos;-&apos;, &apos;.&apos;, &apos;/&apos; or &apos;_&apos;.</source>
        <translation>Chargennummer: 2 bis 40 Buchstaben, Ziffern, &apos;-&apos;, &apos;.&apos;, &apos;/&apos; oder &apos;_&apos;.</translation>
    </message>
    <message>
        <source>Batch %1 already exists.</source>
        <translation>Charge %1 gibt es schon.</translation>
    </message>
    <message>
        <source>Enter a batch size above zero.</source>
        <translation>Geben Sie eine Chargengröße über null ein.</translation>
    </message>
    <message>
        <source>all steps done</source>
        <translation>alle Schritte erledigt</translation>
    </message>
    <message>
        <source>open deviations: %1</source>
        <translation>offene Abweichungen: %1</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Batches at this station</source>
        <translation>Chargen an dieser Station</translation>
    </message>
    <message>
        <source>Approved recipes</source>
        <translation>Freigegebene Rezepte</translation>
    </message>
    <message>
        <source>OPEN THE BATCH</source>
        <translation>CHARGE ÖFFNEN</translation>
    </message>
    <message>
        <source>START A NEW BATCH</source>
        <translation>NEUE CHARGE STARTEN</translation>
    </message>
    <message>
        <source>REFRESH</source>
        <translation>AKTUALISIEREN</translation>
    </message>
    <message>
        <source>USER ACCOUNTS</source>
        <translation>BENUTZERKONTEN</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
</context>
<context>
    <name>Login</name>
    <message>
        <source>Badge %1</source>
        <translation>Ausweis %1</translation>
    </message>
    <message>
        <source>ACCOUNT LOCKED. Ask a supervisor or the administrator to unlock it.</source>
        <translation>KONTO GESPERRT. Lassen Sie es von Vorgesetzten oder der Administration entsperren.</translation>
    </message>
    <message>
        <source>User id, badge or password is wrong. Try again.</source>
        <translation>Benutzer-ID, Ausweis oder Passwort ist falsch. Bitte erneut versuchen.</translation>
    </message>
    <message>
        <source>Login refused.</source>
        <translation>Anmeldung abgelehnt.</translation>
    </message>
</context>
<context>
    <name>LoginController</name>
    <message>
        <source>User id or badge</source>
        <translation>Benutzer-ID oder Ausweis</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Scan your badge, or type your user id; then your password.</source>
        <translation>Ausweis scannen oder Benutzer-ID eingeben, dann das Passwort.</translation>
    </message>
    <message>
        <source>LOG IN</source>
        <translation>ANMELDEN</translation>
    </message>
    <message>
        <source>BACK</source>
        <translation>ZURÜCK</translation>
    </message>
    <message>
        <source>EXIT STATION</source>
        <translation>STATION BEENDEN</translation>
    </message>
    <message>
        <source>Administrator login to close the station</source>
        <translation>Anmeldung der Administration zum Beenden der Station</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Only an administrator can close the station.</source>
        <translation>Nur die Administration kann die Station beenden.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>MES station</source>
        <translation>MES-Station</translation>
    </message>
    <message numerus="yes">
        <source>Logged out after %n minute(s) without activity.</source>
        <translation>
            <numerusform>Nach %n Minute ohne Aktivität abgemeldet.</numerusform>
            <numerusform>Nach %n Minuten ohne Aktivität abgemeldet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ManualWeighView</name>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
    <message>
        <source>NEXT: WITNESS  ▶</source>
        <translation>WEITER: ZEUGE  ▶</translation>
    </message>
    <message>
        <source>Entered by hand: why not from the scale?</source>
        <translation>Von Hand: warum nicht von der Waage?</translation>
    </message>
    <message>
        <source>A second person (a supervisor) signs as witness of this weight entered by hand:</source>
        <translation>Eine zweite Person (Vorgesetzte/r) unterschreibt als Zeuge dieses von Hand eingegebenen Gewichts:</translation>
    </message>
    <message>
        <source>The reason, in words</source>
        <translation>Der Grund, in Worten</translation>
    </message>
    <message>
        <source>Witness: user id or badge</source>
        <translation>Zeuge: Benutzerkennung oder Ausweis</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>SIGN AND RECORD</source>
        <translation>UNTERSCHREIBEN</translation>
    </message>
</context>
<context>
    <name>ManualWeighing</name>
    <message>
        <source>Scale disconnected</source>
        <translation>Waage getrennt</translation>
    </message>
    <message>
        <source>Scale faulty</source>
        <translation>Waage gestört</translation>
    </message>
    <message>
        <source>Scale out of calibration during the batch</source>
        <translation>Waage während der Charge außer Kalibrierung</translation>
    </message>
    <message>
        <source>Other reason (in words)</source>
        <translation>Anderer Grund (in Worten)</translation>
    </message>
</context>
<context>
    <name>MeasureView</name>
    <message>
        <source>RECORD VALUE</source>
        <translation>WERT ERFASSEN</translation>
    </message>
</context>
<context>
    <name>OverrideController</name>
    <message>
        <source>Supervisor: user id or badge</source>
        <translation>Vorgesetzte(r): ID oder Ausweis</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Reason (mandatory)</source>
        <translation>Begründung (Pflicht)</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
    <message>
        <source>Decision: the batch is stopped at %1 (e-signature)</source>
        <translation>Entscheidung: die Charge steht bei %1 (E-Signatur)</translation>
    </message>
    <message>
        <source>SIGN THE DECISION</source>
        <translation>ENTSCHEIDUNG SIGNIEREN</translation>
    </message>
    <message>
        <source>Supervisor acknowledgement (e-signature)</source>
        <translation>Bestätigung durch Vorgesetzte (E-Signatur)</translation>
    </message>
    <message>
        <source>SIGN AND ACKNOWLEDGE</source>
        <translation>SIGNIEREN UND BESTÄTIGEN</translation>
    </message>
    <message>
        <source>Supervisor override (e-signature)</source>
        <translation>Freigabe durch Vorgesetzte (E-Signatur)</translation>
    </message>
    <message>
        <source>SIGN AND OVERRIDE</source>
        <translation>SIGNIEREN UND FREIGEBEN</translation>
    </message>
</context>
<context>
    <name>PanelView</name>
    <message>
        <source>OK, BACK TO THE STEP</source>
        <translation>OK, ZURÜCK ZUM SCHRITT</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>Was tun</translation>
    </message>
    <message>
        <source>Reason code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>A supervisor (not who answered) decides with an e-signature and a reason: continue, repeat the check, or hold the batch.</source>
        <translation>Ein Schichtleiter (nicht wer geantwortet hat) entscheidet mit E-Signatur und Begründung: fortsetzen, Prüfung wiederholen oder Charge anhalten.</translation>
    </message>
    <message>
        <source>A supervisor may override this with an e-signature and a reason; a deviation is opened.</source>
        <translation>Eine Vorgesetzte / ein Vorgesetzter kann mit E-Signatur und Begründung freigeben; dabei wird eine Abweichung eröffnet.</translation>
    </message>
    <message>
        <source>A supervisor must acknowledge this deviation with an e-signature and a reason.</source>
        <translation>Eine Vorgesetzte / ein Vorgesetzter muss diese Abweichung mit E-Signatur und Begründung bestätigen.</translation>
    </message>
</context>
<context>
    <name>PasswordController</name>
    <message>
        <source>Current password</source>
        <translation>Aktuelles Passwort</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Neues Passwort</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>Neues Passwort wiederholen</translation>
    </message>
    <message>
        <source>Set your own password</source>
        <translation>Eigenes Passwort festlegen</translation>
    </message>
    <message>
        <source>Your password must be changed: it is the initial one, an administrator reset it, or it has expired. Choose a new one: at least 8 characters of 3 kinds, none of your last passwords.</source>
        <translation>Ihr Passwort muss geändert werden: es ist das Initialpasswort, die Administration hat es zurückgesetzt, oder es ist abgelaufen. Wählen Sie ein neues: mindestens 8 Zeichen aus 3 Arten, keines Ihrer letzten Passwörter.</translation>
    </message>
    <message>
        <source>SAVE PASSWORD</source>
        <translation>PASSWORT SPEICHERN</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>RECORDED WITH A DEVIATION</source>
        <translation>MIT ABWEICHUNG ERFASST</translation>
    </message>
    <message>
        <source>ERROR</source>
        <translation>FEHLER</translation>
    </message>
    <message>
        <source>REFUSED</source>
        <translation>ABGELEHNT</translation>
    </message>
    <message>
        <source>SUPERVISOR DECISION</source>
        <translation>ENTSCHEIDUNG SCHICHTLEITER</translation>
    </message>
    <message>
        <source>SUPERVISOR ACKNOWLEDGE</source>
        <translation>BESTÄTIGUNG DURCH VORGESETZTE</translation>
    </message>
    <message>
        <source>OVERRIDE</source>
        <translation>FREIGABE DURCH VORGESETZTE</translation>
    </message>
</context>
<context>
    <name>RefusalSentence</name>
    <message>
        <source>{document} is not a controlled document known to the station: training of {user} on it cannot be confirmed</source>
        <extracomment>Every sentence template of ``gating.wording`` (refusals) and ``station.engine.messages`` (actions the engine cannot take), marked for translation (tests/ui keeps them equal). Blanks in braces are filled after translation: keep each one.</extracomment>
        <translation>{document} ist kein der Station bekanntes Lenkungsdokument: die Schulung von {user} darauf kann nicht bestätigt werden</translation>
    </message>
    <message>
        <source>The training of {user} on {document} revision {revision} expired on {day}</source>
        <translation>Die Schulung von {user} auf {document} Revision {revision} ist am {day} abgelaufen</translation>
    </message>
    <message>
        <source>{user} is trained on {document} revision {trained}, but revision {revision} is current: retraining is needed</source>
        <translation>{user} ist auf {document} Revision {trained} geschult, gültig ist aber Revision {revision}: eine Nachschulung ist nötig</translation>
    </message>
    <message>
        <source>{user} is trained on {document} revision {trained}, but the station knows revision {revision} as current: the master data needs to be synchronised</source>
        <translation>{user} ist auf {document} Revision {trained} geschult, die Station kennt aber Revision {revision} als gültig: die Stammdaten müssen abgeglichen werden</translation>
    </message>
    <message>
        <source>{user} has no training record for {document} ({title})</source>
        <translation>Für {user} gibt es keinen Schulungsnachweis zu {document} ({title})</translation>
    </message>
    <message>
        <source>This needs the {role} role; {user} has {roles}</source>
        <translation>Dafür ist die Rolle {role} nötig; {user} hat: {roles}</translation>
    </message>
    <message>
        <source>no role</source>
        <translation>keine Rolle</translation>
    </message>
    <message>
        <source>{user} performed {steps}: this signature must come from someone else</source>
        <translation>{user} hat {steps} ausgeführt: diese Unterschrift muss von jemand anderem kommen</translation>
    </message>
    <message>
        <source>The user id or password is not correct</source>
        <translation>Benutzerkennung oder Passwort ist nicht korrekt</translation>
    </message>
    <message>
        <source>The account of {user} is locked</source>
        <translation>Das Konto von {user} ist gesperrt</translation>
    </message>
    <message>
        <source>The account of {user} is not active</source>
        <translation>Das Konto von {user} ist nicht aktiv</translation>
    </message>
    <message>
        <source>The user id or password is not correct: the signature was not accepted</source>
        <translation>Benutzerkennung oder Passwort ist nicht korrekt: die Unterschrift wurde nicht angenommen</translation>
    </message>
    <message>
        <source>The account of {user} is locked: it cannot sign</source>
        <translation>Das Konto von {user} ist gesperrt: damit kann nicht unterschrieben werden</translation>
    </message>
    <message>
        <source>The account of {user} is not active: it cannot sign</source>
        <translation>Das Konto von {user} ist nicht aktiv: damit kann nicht unterschrieben werden</translation>
    </message>
    <message>
        <source>The password of {user} is not correct: the signature was not accepted</source>
        <translation>Das Passwort von {user} ist nicht korrekt: die Unterschrift wurde nicht angenommen</translation>
    </message>
    <message>
        <source>The account of {user} is locked: a supervisor must unlock it.</source>
        <translation>Das Konto von {user} ist gesperrt: eine vorgesetzte Person muss es entsperren.</translation>
    </message>
    <message>
        <source>Wrong password: the account of {user} is now locked after {attempts} failed attempts.</source>
        <translation>Falsches Passwort: das Konto von {user} ist nach {attempts} Fehlversuchen jetzt gesperrt.</translation>
    </message>
    <message>
        <source>The account of {user} is deactivated.</source>
        <translation>Das Konto von {user} ist deaktiviert.</translation>
    </message>
    <message>
        <source>Unknown user or wrong password.</source>
        <translation>Unbekannter Benutzer oder falsches Passwort.</translation>
    </message>
    <message>
        <source>Every step is done: {step} cannot be done now</source>
        <translation>Alle Schritte sind erledigt: {step} kann jetzt nicht ausgeführt werden</translation>
    </message>
    <message>
        <source>{step} cannot be done now: the current step is {current}</source>
        <translation>{step} kann jetzt nicht ausgeführt werden: der aktuelle Schritt ist {current}</translation>
    </message>
    <message>
        <source>1 deviation is open: {deviations}</source>
        <translation>1 Abweichung ist offen: {deviations}</translation>
    </message>
    <message>
        <source>{count} deviations are open: {deviations}</source>
        <translation>{count} Abweichungen sind offen: {deviations}</translation>
    </message>
    <message>
        <source>Deviation at {step} is open: {text}</source>
        <translation>Abweichung bei {step} ist offen: {text}</translation>
    </message>
    <message>
        <source>The answer to &apos;{question}&apos; was {answer}, {expected} was expected: recorded, deviation opened</source>
        <translation>Die Antwort auf „{question}“ war {answer}, erwartet war {expected}: aufgezeichnet, Abweichung eröffnet</translation>
    </message>
    <message>
        <source>YES</source>
        <translation>JA</translation>
    </message>
    <message>
        <source>NO</source>
        <translation>NEIN</translation>
    </message>
    <message>
        <source>Lot {lot} is not known to the station</source>
        <translation>Partie {lot} ist der Station nicht bekannt</translation>
    </message>
    <message>
        <source>Lot {lot} of {material}</source>
        <translation>Partie {lot} von {material}</translation>
    </message>
    <message>
        <source>Lot {lot} is {material} ({code}), but this step weighs {wanted}</source>
        <translation>Partie {lot} ist {material} ({code}), dieser Schritt wiegt aber {wanted}</translation>
    </message>
    <message>
        <source>{material} ({code})</source>
        <translation>{material} ({code})</translation>
    </message>
    <message>
        <source>{lot} is REJECTED: it may not be used</source>
        <translation>{lot} ist ABGELEHNT und darf nicht verwendet werden</translation>
    </message>
    <message>
        <source>{lot} is QUARANTINED: it may not be used</source>
        <translation>{lot} ist GESPERRT (Quarantäne) und darf nicht verwendet werden</translation>
    </message>
    <message>
        <source>{lot} has status {status}, not released: it may not be used</source>
        <translation>{lot} hat den Status {status}, ist nicht freigegeben und darf nicht verwendet werden</translation>
    </message>
    <message>
        <source>{lot} expired on {day}</source>
        <translation>{lot} ist am {day} verfallen</translation>
    </message>
    <message>
        <source>{lot} was due for retest on {day}</source>
        <translation>{lot} war am {day} zur Nachprüfung fällig</translation>
    </message>
    <message>
        <source>Unreadable barcode {code}: {reason}</source>
        <translation>Unlesbarer Barcode {code}: {reason}</translation>
    </message>
    <message>
        <source>this is not a lot label</source>
        <translation>das ist kein Partie-Etikett</translation>
    </message>
    <message>
        <source>this is not an equipment label</source>
        <translation>das ist kein Anlagenetikett</translation>
    </message>
    <message>
        <source>Equipment {equipment} is not known to the station</source>
        <translation>Anlage {equipment} ist der Station nicht bekannt</translation>
    </message>
    <message>
        <source>Scale {id}</source>
        <translation>Waage {id}</translation>
    </message>
    <message>
        <source>Equipment {id}</source>
        <translation>Anlage {id}</translation>
    </message>
    <message>
        <source>{equipment} is a {found}, but this step needs a {wanted}</source>
        <translation>{equipment} gehört zur Klasse {found}, dieser Schritt braucht aber {wanted}</translation>
    </message>
    <message>
        <source>{equipment} ({name}) is OUT OF SERVICE: it may not be used</source>
        <translation>{equipment} ({name}) ist AUSSER BETRIEB und darf nicht verwendet werden</translation>
    </message>
    <message>
        <source>{equipment} has no calibration on record</source>
        <translation>Für {equipment} ist keine Kalibrierung erfasst</translation>
    </message>
    <message>
        <source>{equipment} calibration expired on {day}</source>
        <translation>Die Kalibrierung von {equipment} ist am {day} abgelaufen</translation>
    </message>
    <message>
        <source>{equipment} has no cleaning on record</source>
        <translation>Für {equipment} ist keine Reinigung erfasst</translation>
    </message>
    <message>
        <source>{equipment} is not clean: its clean hold time ended {instant}</source>
        <translation>{equipment} ist nicht sauber: die Standzeit nach der Reinigung endete am {instant}</translation>
    </message>
    <message>
        <source>{equipment} has no daily check on record</source>
        <translation>Für {equipment} ist keine Tagesprüfung erfasst</translation>
    </message>
    <message>
        <source>{equipment} daily check is due since {instant}</source>
        <translation>Die Tagesprüfung von {equipment} ist seit {instant} fällig</translation>
    </message>
    <message>
        <source>The scale reading is not stable: it cannot be accepted</source>
        <translation>Der Waagenwert ist nicht stabil: er kann nicht übernommen werden</translation>
    </message>
    <message>
        <source>Net weight {weight} is above the upper limit {limit} by {by}</source>
        <translation>Nettogewicht {weight} liegt um {by} über der Obergrenze {limit}</translation>
    </message>
    <message>
        <source>Net weight {weight} is below the lower limit {limit} by {by}</source>
        <translation>Nettogewicht {weight} liegt um {by} unter der Untergrenze {limit}</translation>
    </message>
    <message>
        <source>{name} {value} is below the lower limit {limit}</source>
        <translation>{name} {value} liegt unter der Untergrenze {limit}</translation>
    </message>
    <message>
        <source>{name} {value} is above the upper limit {limit}</source>
        <translation>{name} {value} liegt über der Obergrenze {limit}</translation>
    </message>
    <message>
        <source>The value</source>
        <translation>Der Wert</translation>
    </message>
    <message>
        <source>The record of batch {batch} does not verify ({problem}): it cannot be approved</source>
        <translation>Das Protokoll der Charge {batch} ist nicht unversehrt ({problem}): es kann nicht freigegeben werden</translation>
    </message>
    <message>
        <source>The new password is one of the last {history} passwords of {user}: choose another</source>
        <translation>Das neue Passwort ist eines der letzten {history} Passwörter von {user}: bitte ein anderes wählen</translation>
    </message>
    <message>
        <source>The password of {user} is older than {days} days: it must be changed before anything else</source>
        <translation>Das Passwort von {user} ist älter als {days} Tage: es muss vor allem anderen geändert werden</translation>
    </message>
    <message>
        <source>A weight entered by hand needs its reason: the scale is disconnected, faulty or out of calibration, or another reason in words</source>
        <translation>Ein von Hand eingegebenes Gewicht braucht seinen Grund: die Waage ist getrennt, gestört oder außer Kalibrierung, oder ein anderer Grund in Worten</translation>
    </message>
    <message>
        <source>A weight entered by hand needs a second person&apos;s e-signature as witness</source>
        <translation>Ein von Hand eingegebenes Gewicht braucht die elektronische Unterschrift einer zweiten Person als Zeuge</translation>
    </message>
    <message>
        <source>{witness} entered the weight: the witness must be another person</source>
        <translation>{witness} hat das Gewicht eingegeben: der Zeuge muss eine andere Person sein</translation>
    </message>
    <message>
        <source>A weight entered by hand is not overridden: enter it again, witnessed</source>
        <translation>Ein von Hand eingegebenes Gewicht wird nicht übersteuert: geben Sie es erneut ein, mit Zeuge</translation>
    </message>
    <message>
        <source>The session of {user} has ended ({why}): log in again</source>
        <translation>Die Sitzung von {user} ist beendet ({why}): bitte neu anmelden</translation>
    </message>
    <message>
        <source>a review needs a comment</source>
        <translation>eine Prüfung braucht einen Kommentar</translation>
    </message>
    <message>
        <source>{user} does not hold the qa role a batch review needs</source>
        <translation>{user} hat nicht die Rolle qa, die eine Chargenprüfung braucht</translation>
    </message>
    <message>
        <source>{user} took part in batch {batch}: an independent QA reviewer is needed</source>
        <translation>{user} hat an Charge {batch} mitgewirkt: eine unabhängige QS-Prüfung ist nötig</translation>
    </message>
    <message>
        <source>batch {batch} is {status}: only a completed batch is reviewed</source>
        <translation>Charge {batch} ist {status}: nur eine abgeschlossene Charge wird geprüft</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in Arbeit</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>batch {batch} has been reviewed already</source>
        <translation>Charge {batch} ist bereits geprüft</translation>
    </message>
    <message>
        <source>nobody is logged in: log in first</source>
        <translation>niemand ist angemeldet: bitte zuerst anmelden</translation>
    </message>
    <message>
        <source>a new password must be set before working</source>
        <translation>vor dem Arbeiten muss ein neues Passwort gesetzt werden</translation>
    </message>
    <message>
        <source>no batch is open: start or open a batch first</source>
        <translation>keine Charge ist geöffnet: zuerst eine Charge starten oder öffnen</translation>
    </message>
    <message>
        <source>batch {batch} exists already for {recipe} v{version}</source>
        <translation>Charge {batch} gibt es bereits für {recipe} v{version}</translation>
    </message>
    <message>
        <source>recipe {recipe} version {version} is not imported</source>
        <translation>Rezept {recipe} Version {version} ist nicht importiert</translation>
    </message>
    <message>
        <source>recipe {recipe} version {version} is not approved by QA</source>
        <translation>Rezept {recipe} Version {version} ist nicht durch die QS freigegeben</translation>
    </message>
    <message>
        <source>batch size {size} {unit} is not a positive mass</source>
        <translation>Chargengröße {size} {unit} ist keine positive Masse</translation>
    </message>
    <message>
        <source>batch {batch} is on hold: resume it first</source>
        <translation>Charge {batch} ist angehalten: zuerst fortsetzen</translation>
    </message>
    <message>
        <source>batch {batch} is completed</source>
        <translation>Charge {batch} ist abgeschlossen</translation>
    </message>
    <message>
        <source>batch {batch} is completed already</source>
        <translation>Charge {batch} ist bereits abgeschlossen</translation>
    </message>
    <message>
        <source>batch {batch} is {status}</source>
        <translation>Charge {batch} ist {status}</translation>
    </message>
    <message>
        <source>an override needs a reason</source>
        <translation>eine Freigabe braucht eine Begründung</translation>
    </message>
    <message>
        <source>nothing to override at {step}: no refusal and no open deviation</source>
        <translation>bei {step} gibt es nichts freizugeben: keine Ablehnung und keine offene Abweichung</translation>
    </message>
    <message>
        <source>nothing to decide at {step}: the batch is not stopped there</source>
        <translation>bei {step} ist nichts zu entscheiden: die Charge steht dort nicht</translation>
    </message>
    <message>
        <source>a decision needs a reason</source>
        <translation>eine Entscheidung braucht eine Begründung</translation>
    </message>
    <message>
        <source>the text has {length} characters: at most {limit}</source>
        <translation>der Text hat {length} Zeichen: höchstens {limit}</translation>
    </message>
    <message>
        <source>no accepted weighing to print a label for</source>
        <translation>keine angenommene Wägung, für die ein Etikett zu drucken wäre</translation>
    </message>
    <message>
        <source>{codes} cannot be overridden: fix the cause instead</source>
        <translation>{codes} kann nicht übersteuert werden: bitte die Ursache beheben</translation>
    </message>
    <message>
        <source>a deviation needs a category and a text</source>
        <translation>eine Abweichung braucht eine Kategorie und einen Text</translation>
    </message>
    <message>
        <source>{day} {mon} {year}</source>
        <extracomment>How a sentence writes a date (``month``: 1-12, ``mon``: Jan-Dec) and an instant.</extracomment>
        <translation>{day:02}.{month:02}.{year}</translation>
    </message>
    <message>
        <source>{date} {time} {zone}</source>
        <translation>{date} {time} {zone}</translation>
    </message>
    <message>
        <source>{scale} carries at most {capacity}: {weight} is more than it can weigh</source>
        <translation>{scale} trägt höchstens {capacity}: {weight} ist mehr, als sie wiegen kann</translation>
    </message>
    <message>
        <source>Net weight {weight} is below the minimum weight {minimum} of {scale}</source>
        <translation>Nettogewicht {weight} liegt unter dem Mindestgewicht {minimum} von {scale}</translation>
    </message>
    <message>
        <source>{what} {weight} is not a weight: it must be zero or more</source>
        <translation>{what} {weight} ist kein Gewicht: es muss null oder mehr sein</translation>
    </message>
    <message>
        <source>Net weight {weight} is not a weighing: the gross must be more than the tare</source>
        <translation>Nettogewicht {weight} ist keine Wägung: das Brutto muss größer als die Tara sein</translation>
    </message>
    <message>
        <source>{what} {weight} is finer than {scale} can read (it reads {readability})</source>
        <translation>{what} {weight} ist feiner, als {scale} anzeigen kann (Ablesbarkeit {readability})</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>Brutto</translation>
    </message>
    <message>
        <source>Tare</source>
        <translation>Tara</translation>
    </message>
    <message>
        <source>The scale at the station reports serial number {reported}, but {scale} has serial number {expected}</source>
        <translation>Die Waage an der Station meldet die Seriennummer {reported}, aber {scale} hat die Seriennummer {expected}</translation>
    </message>
    <message>
        <source>The scale at the station does not report its serial number: it cannot be confirmed as {scale}</source>
        <translation>Die Waage an der Station meldet keine Seriennummer: sie kann nicht als {scale} bestätigt werden</translation>
    </message>
    <message>
        <source>{user} still has the initial password: it must be changed before anything else</source>
        <translation>{user} hat noch das Erstpasswort: es muss vor allem anderen geändert werden</translation>
    </message>
    <message>
        <source>The batch is stopped at {step}: {question} was answered {answer}; a supervisor must decide how it goes on</source>
        <translation>Die Charge steht bei {step}: {question} wurde mit {answer} beantwortet; ein Schichtleiter muss entscheiden, wie es weitergeht</translation>
    </message>
    <message>
        <source>The station&apos;s clock ({clock}) is behind the newest record ({newest}): nothing can be recorded until it is set right</source>
        <translation>Die Uhr der Station ({clock}) geht hinter dem neuesten Eintrag ({newest}) zurück: bis sie richtig gestellt ist, wird nichts aufgezeichnet</translation>
    </message>
    <message>
        <source>The oldest record not yet at the central QMS is {age} old (the site allows {limit}): no new batch until it is synced</source>
        <translation>Der älteste noch nicht ans zentrale QMS übertragene Eintrag ist {age} alt (erlaubt sind {limit}): keine neue Charge, bis synchronisiert ist</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>Batch record reviewed and approved</source>
        <translation>Chargenprotokoll geprüft und freigegeben</translation>
    </message>
    <message>
        <source>Batch record reviewed and rejected</source>
        <translation>Chargenprotokoll geprüft und zurückgewiesen</translation>
    </message>
    <message>
        <source>QA review: batch %1</source>
        <translation>QS-Prüfung: Charge %1</translation>
    </message>
    <message>
        <source>QA review</source>
        <translation>QS-Prüfung</translation>
    </message>
    <message>
        <source>Awaiting review</source>
        <translation>Prüfung ausstehend</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Zurückgewiesen</translation>
    </message>
    <message>
        <source>Reviewed</source>
        <translation>Geprüft</translation>
    </message>
    <message>
        <source>%1 by %2, %3</source>
        <translation>%1 von %2, %3</translation>
    </message>
    <message>
        <source>E-signature</source>
        <translation>E-Signatur</translation>
    </message>
    <message>
        <source>Signature at this step</source>
        <translation>Signatur an diesem Schritt</translation>
    </message>
    <message>
        <source>Refusal overridden</source>
        <translation>Ablehnung übersteuert</translation>
    </message>
    <message>
        <source>Refusal</source>
        <translation>Ablehnung</translation>
    </message>
    <message>
        <source>Deviation</source>
        <translation>Abweichung</translation>
    </message>
    <message>
        <source>Value outside its limits</source>
        <translation>Wert außerhalb der Grenzen</translation>
    </message>
    <message>
        <source>Weighing refused</source>
        <translation>Wägung abgelehnt</translation>
    </message>
    <message>
        <source>Supervisor acknowledgement</source>
        <translation>Bestätigung durch Vorgesetzte</translation>
    </message>
    <message>
        <source>Weight entered by hand</source>
        <translation>Gewicht von Hand eingegeben</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>the batch as a whole</source>
        <translation>die Charge als Ganzes</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Arbeitsgang</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Reason code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Sentence</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Vorgesetzte(r)</translation>
    </message>
    <message>
        <source>Reason given</source>
        <translation>Angegebener Grund</translation>
    </message>
    <message>
        <source>Central number</source>
        <translation>Zentrale Nummer</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Was geschah</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>Eröffnet</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Geschlossen</translation>
    </message>
    <message>
        <source>How it was closed</source>
        <translation>Wie sie geschlossen wurde</translation>
    </message>
    <message>
        <source>NOT CLOSED</source>
        <translation>NICHT GESCHLOSSEN</translation>
    </message>
    <message>
        <source>Material and lot</source>
        <translation>Material und Los</translation>
    </message>
    <message>
        <source>Weighed</source>
        <translation>Gewogen</translation>
    </message>
    <message>
        <source>net %1 %2 (gross %3, tare %4)</source>
        <translation>netto %1 %2 (brutto %3, Tara %4)</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Grenzen</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>net</source>
        <translation>netto</translation>
    </message>
    <message>
        <source>limits</source>
        <translation>Grenzen</translation>
    </message>
    <message>
        <source>overridden by</source>
        <translation>übersteuert von</translation>
    </message>
    <message>
        <source>Re-weighed</source>
        <translation>Nachgewogen</translation>
    </message>
    <message>
        <source>Why not from the scale</source>
        <translation>Warum nicht von der Waage</translation>
    </message>
    <message>
        <source>Recorded value</source>
        <translation>Erfasster Wert</translation>
    </message>
    <message>
        <source>Entered</source>
        <translation>Eingegeben</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>NO: the audit trail does not verify</source>
        <translation>NEIN: der Audit-Trail ist nicht intakt</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>nicht geprüft</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>Charge</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Produkt</translation>
    </message>
    <message>
        <source>Recipe</source>
        <translation>Rezept</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Chargengröße</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Begonnen</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Audit chain verified</source>
        <translation>Audit-Kette geprüft</translation>
    </message>
    <message>
        <source>Exceptions: %1</source>
        <translation>Ausnahmen: %1</translation>
    </message>
    <message>
        <source>OPEN</source>
        <translation>OFFEN</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <source>%1 — signed by %2 (%3), meaning: %4, at %5</source>
        <translation>%1 — signiert von %2 (%3), Bedeutung: %4, am %5</translation>
    </message>
    <message>
        <source>Approve the batch record (e-signature)</source>
        <translation>Chargenprotokoll freigeben (E-Signatur)</translation>
    </message>
    <message>
        <source>Reject the batch record (e-signature)</source>
        <translation>Chargenprotokoll zurückweisen (E-Signatur)</translation>
    </message>
    <message>
        <source>Batch %1 · meaning of the signature: %2</source>
        <translation>Charge %1 · Bedeutung der Signatur: %2</translation>
    </message>
    <message>
        <source>SIGN AND APPROVE</source>
        <translation>SIGNIEREN UND FREIGEBEN</translation>
    </message>
    <message>
        <source>SIGN AND REJECT</source>
        <translation>SIGNIEREN UND ZURÜCKWEISEN</translation>
    </message>
    <message>
        <source>Enter your user id or scan your badge.</source>
        <translation>Geben Sie Ihre Benutzerkennung ein oder scannen Sie Ihren Ausweis.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Geben Sie Ihr Passwort ein.</translation>
    </message>
    <message>
        <source>A comment is mandatory.</source>
        <translation>Ein Kommentar ist Pflicht.</translation>
    </message>
</context>
<context>
    <name>ReviewListPage</name>
    <message>
        <source>Batch records for QA review</source>
        <translation>Chargenprotokolle zur QS-Prüfung</translation>
    </message>
    <message>
        <source>Completed batches at this station. Open one to review its exceptions and sign the verdict.</source>
        <translation>Abgeschlossene Chargen an dieser Station. Öffnen Sie eine, um ihre Ausnahmen zu prüfen und das Ergebnis zu signieren.</translation>
    </message>
    <message>
        <source>REVIEW THE BATCH</source>
        <translation>CHARGE PRÜFEN</translation>
    </message>
    <message>
        <source>AUDIT TRAIL</source>
        <translation>AUDIT-TRAIL</translation>
    </message>
    <message>
        <source>REFRESH</source>
        <translation>AKTUALISIEREN</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <source>FULL RECORD</source>
        <translation>GESAMTES PROTOKOLL</translation>
    </message>
    <message>
        <source>◀ PREVIOUS STEP</source>
        <translation>◀ VORHERIGER SCHRITT</translation>
    </message>
    <message>
        <source>NEXT STEP ▶</source>
        <translation>NÄCHSTER SCHRITT ▶</translation>
    </message>
    <message>
        <source>No exceptions</source>
        <translation>Keine Ausnahmen</translation>
    </message>
    <message>
        <source>BACK</source>
        <translation>ZURÜCK</translation>
    </message>
    <message>
        <source>REJECT</source>
        <translation>ZURÜCKWEISEN</translation>
    </message>
    <message>
        <source>APPROVE</source>
        <translation>FREIGEBEN</translation>
    </message>
    <message>
        <source>EXCEPTIONS (%1)</source>
        <translation>AUSNAHMEN (%1)</translation>
    </message>
</context>
<context>
    <name>ReviewSignController</name>
    <message>
        <source>User id or badge</source>
        <translation>Benutzer-ID oder Ausweis</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Comment (mandatory)</source>
        <translation>Kommentar (Pflicht)</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>operator</source>
        <translation>Bediener(in)</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>Vorgesetzte(n)</translation>
    </message>
    <message>
        <source>quality assurance</source>
        <translation>Qualitätssicherung</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>Administration</translation>
    </message>
</context>
<context>
    <name>Runner</name>
    <message>
        <source>Batch completed</source>
        <translation>Charge abgeschlossen</translation>
    </message>
    <message>
        <source>All steps done</source>
        <translation>Alle Schritte erledigt</translation>
    </message>
    <message>
        <source>%1 %2 - step %3 of %4</source>
        <translation>%1 %2 - Schritt %3 von %4</translation>
    </message>
    <message>
        <source>No open deviation</source>
        <translation>Keine offene Abweichung</translation>
    </message>
    <message>
        <source>Open deviations: %1</source>
        <translation>Offene Abweichungen: %1</translation>
    </message>
</context>
<context>
    <name>RunnerPage</name>
    <message>
        <source>DEVIATION</source>
        <translation>ABWEICHUNG</translation>
    </message>
    <message>
        <source>LABEL</source>
        <translation>ETIKETT</translation>
    </message>
    <message>
        <source>BATCHES</source>
        <translation>CHARGEN</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
    <message>
        <source>BACK TO THE BATCHES</source>
        <translation>ZURÜCK ZU DEN CHARGEN</translation>
    </message>
    <message>
        <source>COMPLETE THE BATCH</source>
        <translation>CHARGE ABSCHLIESSEN</translation>
    </message>
    <message>
        <source>RESUME THE BATCH</source>
        <translation>CHARGE FORTSETZEN</translation>
    </message>
    <message>
        <source>RESUME</source>
        <translation>FORTSETZEN</translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation>ANHALTEN</translation>
    </message>
    <message>
        <source>Batch %1 is completed.</source>
        <translation>Charge %1 ist abgeschlossen.</translation>
    </message>
    <message>
        <source>All steps are done. Complete the batch to close its record.</source>
        <translation>Alle Schritte sind erledigt. Schließen Sie die Charge ab, um ihr Protokoll abzuschließen.</translation>
    </message>
    <message>
        <source>Batch %1 is ON HOLD.</source>
        <translation>Charge %1 ist ANGEHALTEN.</translation>
    </message>
    <message>
        <source>This step cannot be shown on this station.</source>
        <translation>Dieser Schritt kann an dieser Station nicht angezeigt werden.</translation>
    </message>
</context>
<context>
    <name>SignatureView</name>
    <message>
        <source>Signer: user id or badge</source>
        <translation>Unterzeichner(in): Benutzer-ID oder Ausweis</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>SIGN</source>
        <translation>SIGNIEREN</translation>
    </message>
    <message>
        <source>CONTINUE  ▶</source>
        <translation>WEITER  ▶</translation>
    </message>
    <message>
        <source>Meaning of this signature: %1</source>
        <translation>Bedeutung dieser Unterschrift: %1</translation>
    </message>
    <message>
        <source>Signed by %1 (%2) at %3</source>
        <translation>Signiert von %1 (%2) am %3</translation>
    </message>
    <message>
        <source>Signed by %1 (%2)</source>
        <translation>Signiert von %1 (%2)</translation>
    </message>
</context>
<context>
    <name>SimulatorWindow</name>
    <message>
        <source>Device simulator</source>
        <translation>Gerätesimulator</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>Waage</translation>
    </message>
    <message>
        <source>gross weight, kg</source>
        <translation>Bruttogewicht, kg</translation>
    </message>
    <message>
        <source>PUT</source>
        <translation>AUFLEGEN</translation>
    </message>
    <message>
        <source>REMOVE</source>
        <translation>ABNEHMEN</translation>
    </message>
    <message>
        <source>UNPLUG</source>
        <translation>TRENNEN</translation>
    </message>
    <message>
        <source>REPLUG</source>
        <translation>VERBINDEN</translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <source>Not a weight: %1</source>
        <translation>Kein Gewicht: %1</translation>
    </message>
    <message>
        <source>Scanned %1</source>
        <translation>Gescannt: %1</translation>
    </message>
</context>
<context>
    <name>SiteTrail</name>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Logins</source>
        <translation>Anmeldungen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlversuche</translation>
    </message>
    <message>
        <source>Lockouts</source>
        <translation>Sperren</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Master data</source>
        <translation>Stammdaten</translation>
    </message>
    <message>
        <source>24 hours</source>
        <translation>24 Stunden</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 Tage</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 Tage</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>No events match the filters.</source>
        <translation>Keine Ereignisse passen zu den Filtern.</translation>
    </message>
    <message>
        <source>Page %1 · newest first · times in %2</source>
        <translation>Seite %1 · neueste zuerst · Zeiten in %2</translation>
    </message>
    <message>
        <source>(no user)</source>
        <translation>(kein Benutzer)</translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation>Begründung: %1</translation>
    </message>
    <message>
        <source>Before: %1 → after: %2</source>
        <translation>Vorher: %1 → nachher: %2</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Alle Personen</translation>
    </message>
</context>
<context>
    <name>SiteTrailController</name>
    <message>
        <source>QA: site audit trail</source>
        <translation>QS: Audit-Trail des Standorts</translation>
    </message>
</context>
<context>
    <name>SiteTrailPage</name>
    <message>
        <source>Site audit trail</source>
        <translation>Audit-Trail des Standorts</translation>
    </message>
    <message>
        <source>◀ NEWER</source>
        <translation>◀ NEUERE</translation>
    </message>
    <message>
        <source>OLDER ▶</source>
        <translation>ÄLTERE ▶</translation>
    </message>
    <message>
        <source>BACK</source>
        <translation>ZURÜCK</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
</context>
<context>
    <name>StartController</name>
    <message>
        <source>Batch id</source>
        <translation>Chargennummer</translation>
    </message>
    <message>
        <source>Batch size (%1)</source>
        <translation>Chargengröße (%1)</translation>
    </message>
    <message>
        <source>Start a new batch</source>
        <translation>Neue Charge starten</translation>
    </message>
    <message>
        <source>START THE BATCH</source>
        <translation>CHARGE STARTEN</translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation>ABBRECHEN</translation>
    </message>
</context>
<context>
    <name>Steps</name>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Limits: %1 to %2 %3</source>
        <translation>Grenzen: %1 bis %2 %3</translation>
    </message>
    <message>
        <source>Limit: at least %1 %2</source>
        <translation>Grenze: mindestens %1 %2</translation>
    </message>
    <message>
        <source>Limit: at most %1 %2</source>
        <translation>Grenze: höchstens %1 %2</translation>
    </message>
    <message>
        <source>No limits</source>
        <translation>Keine Grenzen</translation>
    </message>
    <message>
        <source>Enter the value on the keypad.</source>
        <translation>Wert auf dem Ziffernblock eingeben.</translation>
    </message>
    <message>
        <source>Inside the limits.</source>
        <translation>Innerhalb der Grenzen.</translation>
    </message>
    <message>
        <source>OUTSIDE THE LIMITS: the value is recorded as entered and a deviation is opened.</source>
        <translation>AUSSERHALB DER GRENZEN: Der Wert wird wie eingegeben erfasst und eine Abweichung eröffnet.</translation>
    </message>
    <message>
        <source>In service</source>
        <translation>In Betrieb</translation>
    </message>
    <message>
        <source>Calibrated until</source>
        <translation>Kalibriert bis</translation>
    </message>
    <message>
        <source>Clean until</source>
        <translation>Sauber bis</translation>
    </message>
    <message>
        <source>Daily check until</source>
        <translation>Tagesprüfung bis</translation>
    </message>
    <message>
        <source>Signed by a %1</source>
        <translation>Zu signieren von einer/einem %1</translation>
    </message>
    <message>
        <source> who did not perform %1</source>
        <translation>, die/der %1 nicht ausgeführt hat</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>records differ</source>
        <translation>Einträge abweichend</translation>
    </message>
    <message>
        <source>station refused</source>
        <translation>Station abgewiesen</translation>
    </message>
    <message>
        <source>receipt invalid</source>
        <translation>Quittung ungültig</translation>
    </message>
    <message>
        <source>records refused</source>
        <translation>Einträge abgelehnt</translation>
    </message>
    <message>
        <source>Sync cannot run: configuration · call IT</source>
        <translation>Sync läuft nicht: Konfiguration · IT rufen</translation>
    </message>
    <message>
        <source>Sync: reading ...</source>
        <translation>Sync: wird gelesen ...</translation>
    </message>
    <message>
        <source>SYNC ALARM · %1 · call QA</source>
        <translation>SYNC-ALARM · %1 · QA rufen</translation>
    </message>
    <message>
        <source>In sync</source>
        <translation>Synchron</translation>
    </message>
    <message>
        <source>%1 unsent, oldest %2</source>
        <translation>%1 ungesendet, seit %2</translation>
    </message>
    <message>
        <source> · no new batch</source>
        <translation> · keine neue Charge</translation>
    </message>
    <message>
        <source> · hub offline</source>
        <translation> · Hub offline</translation>
    </message>
    <message>
        <source> · refused, call IT</source>
        <translation> · abgelehnt, IT rufen</translation>
    </message>
</context>
<context>
    <name>Users</name>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>LOCKED</source>
        <translation>GESPERRT</translation>
    </message>
    <message>
        <source>must change the password</source>
        <translation>muss das Passwort ändern</translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <source>UNLOCK</source>
        <translation>ENTSPERREN</translation>
    </message>
    <message>
        <source>RESET PASSWORD</source>
        <translation>PASSWORT ZURÜCKSETZEN</translation>
    </message>
    <message>
        <source>DEACTIVATE</source>
        <translation>DEAKTIVIEREN</translation>
    </message>
    <message>
        <source>I unlock the account of %1.</source>
        <translation>Ich entsperre das Konto von %1.</translation>
    </message>
    <message>
        <source>I reset the password of %1: a temporary one, to be changed at the next login.</source>
        <translation>Ich setze das Passwort von %1 zurück: ein vorläufiges, das bei der nächsten Anmeldung zu ändern ist.</translation>
    </message>
    <message>
        <source>I deactivate %1: the account can no longer log in or sign.</source>
        <translation>Ich deaktiviere %1: das Konto kann sich nicht mehr anmelden und nicht mehr signieren.</translation>
    </message>
    <message>
        <source>%1: e-signature</source>
        <translation>%1: E-Signatur</translation>
    </message>
    <message>
        <source>Meaning of the signature: %1</source>
        <translation>Bedeutung der Signatur: %1</translation>
    </message>
    <message>
        <source>Enter your password to sign.</source>
        <translation>Geben Sie zum Signieren Ihr Passwort ein.</translation>
    </message>
    <message>
        <source>A reason is mandatory.</source>
        <translation>Eine Begründung ist Pflicht.</translation>
    </message>
    <message>
        <source>%1 is unlocked.</source>
        <translation>%1 ist entsperrt.</translation>
    </message>
    <message>
        <source>The password of %1 is reset: the temporary password below is shown once.</source>
        <translation>Das Passwort von %1 ist zurückgesetzt: das vorläufige Passwort unten wird nur einmal angezeigt.</translation>
    </message>
    <message>
        <source>%1 is deactivated.</source>
        <translation>%1 ist deaktiviert.</translation>
    </message>
</context>
<context>
    <name>UsersController</name>
    <message>
        <source>User administration</source>
        <translation>Benutzerverwaltung</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>User accounts</source>
        <translation>Benutzerkonten</translation>
    </message>
    <message>
        <source>Choose an account, then what to do; you sign it with your password and a reason. Supervisors unlock; administrators also reset passwords and deactivate.</source>
        <translation>Wählen Sie ein Konto, dann die Aktion; Sie signieren sie mit Ihrem Passwort und einer Begründung. Vorgesetzte entsperren; die Administration setzt auch Passwörter zurück und deaktiviert.</translation>
    </message>
    <message>
        <source>REFRESH</source>
        <translation>AKTUALISIEREN</translation>
    </message>
    <message>
        <source>BACK</source>
        <translation>ZURÜCK</translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation>ABMELDEN</translation>
    </message>
    <message>
        <source>Temporary password: %1</source>
        <translation>Vorläufiges Passwort: %1</translation>
    </message>
</context>
<context>
    <name>Weigh</name>
    <message>
        <source>Scan the label of the lot to dispense.</source>
        <translation>Etikett der einzuwiegenden Partie scannen.</translation>
    </message>
    <message>
        <source>SCALE DISCONNECTED. Check the cable; weighing resumes when the scale is back, or enter the weight by hand with a witness.</source>
        <translation>WAAGE GETRENNT. Prüfen Sie das Kabel; das Wiegen geht weiter, sobald die Waage wieder da ist, oder geben Sie das Gewicht mit Zeuge von Hand ein.</translation>
    </message>
    <message>
        <source>SCALE FAULT (%1). Call maintenance, or enter the weight by hand with a witness.</source>
        <translation>WAAGENSTÖRUNG (%1). Rufen Sie die Instandhaltung, oder geben Sie das Gewicht mit Zeuge von Hand ein.</translation>
    </message>
    <message>
        <source>Waiting for the scale…</source>
        <translation>Warte auf die Waage…</translation>
    </message>
    <message>
        <source>OUT OF TOLERANCE: %1 %3 is below the lower limit %2 %3. Add material.</source>
        <translation>AUSSERHALB DER TOLERANZ: %1 %3 liegt unter der Untergrenze %2 %3. Material zugeben.</translation>
    </message>
    <message>
        <source>OUT OF TOLERANCE: %1 %3 is above the upper limit %2 %3. Remove material.</source>
        <translation>AUSSERHALB DER TOLERANZ: %1 %3 liegt über der Obergrenze %2 %3. Material entnehmen.</translation>
    </message>
    <message>
        <source>Reading not stable. Wait until the scale settles.</source>
        <translation>Anzeige nicht stabil. Warten, bis die Waage ruhig ist.</translation>
    </message>
    <message>
        <source>Stable and inside the tolerance. ACCEPT records the weighing.</source>
        <translation>Stabil und innerhalb der Toleranz. ÜBERNEHMEN erfasst die Wägung.</translation>
    </message>
    <message>
        <source>Target %1 %4   (%2 – %3 %4)</source>
        <translation>Soll %1 %4   (%2 – %3 %4)</translation>
    </message>
</context>
<context>
    <name>WeighView</name>
    <message>
        <source>TARE</source>
        <translation>TARA</translation>
    </message>
    <message>
        <source>ZERO</source>
        <translation>NULL</translation>
    </message>
    <message>
        <source>ACCEPT</source>
        <translation>ÜBERNEHMEN</translation>
    </message>
    <message>
        <source>ENTER BY HAND</source>
        <translation>VON HAND EINGEBEN</translation>
    </message>
    <message>
        <source>Scan the lot label (GS1)</source>
        <translation>Partie-Etikett scannen (GS1)</translation>
    </message>
    <message>
        <source>Lot %1</source>
        <translation>Partie %1</translation>
    </message>
    <message>
        <source>Scan the label of the lot of %1.</source>
        <translation>Etikett der Partie von %1 scannen.</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <source>Gross</source>
        <translation>Brutto</translation>
    </message>
    <message>
        <source>Tare</source>
        <translation>Tara</translation>
    </message>
</context>
<context>
    <name>WhatNext</name>
    <message>
        <source>Ask a trained colleague to do the step; training is arranged through the LMS.</source>
        <translation>Lassen Sie den Schritt von geschultem Personal ausführen; die Schulung wird über das LMS organisiert.</translation>
    </message>
    <message>
        <source>Ask a trained colleague to do the step; renew the training through the LMS.</source>
        <translation>Lassen Sie den Schritt von geschultem Personal ausführen; erneuern Sie die Schulung über das LMS.</translation>
    </message>
    <message>
        <source>Ask a trained colleague to do the step; read and train on the current revision.</source>
        <translation>Lassen Sie den Schritt von geschultem Personal ausführen; schulen Sie sich auf die aktuelle Revision.</translation>
    </message>
    <message>
        <source>Ask someone with the required role to sign.</source>
        <translation>Lassen Sie eine Person mit der erforderlichen Rolle signieren.</translation>
    </message>
    <message>
        <source>Ask someone who did not perform the steps to sign.</source>
        <translation>Lassen Sie eine Person signieren, die die Schritte nicht ausgeführt hat.</translation>
    </message>
    <message>
        <source>Do the current step first.</source>
        <translation>Führen Sie zuerst den aktuellen Schritt aus.</translation>
    </message>
    <message>
        <source>Check the label, or ask the warehouse whether the lot is in the system.</source>
        <translation>Prüfen Sie das Etikett oder fragen Sie im Lager, ob die Partie im System ist.</translation>
    </message>
    <message>
        <source>Set the container aside and take a released lot.</source>
        <translation>Stellen Sie das Gebinde beiseite und nehmen Sie eine freigegebene Partie.</translation>
    </message>
    <message>
        <source>Set the container aside, label it rejected and take a released lot.</source>
        <translation>Stellen Sie das Gebinde beiseite, kennzeichnen Sie es als zurückgewiesen und nehmen Sie eine freigegebene Partie.</translation>
    </message>
    <message>
        <source>Set the container aside and take a lot within its expiry date.</source>
        <translation>Stellen Sie das Gebinde beiseite und nehmen Sie eine Partie innerhalb ihres Verfallsdatums.</translation>
    </message>
    <message>
        <source>Take another lot, or ask a supervisor to override with a reason.</source>
        <translation>Nehmen Sie eine andere Partie oder lassen Sie Vorgesetzte mit Begründung freigeben.</translation>
    </message>
    <message>
        <source>Take a container of the material this step asks for.</source>
        <translation>Nehmen Sie ein Gebinde des Materials, das dieser Schritt verlangt.</translation>
    </message>
    <message>
        <source>Check the equipment label, or call maintenance.</source>
        <translation>Prüfen Sie das Anlagenetikett oder rufen Sie die Instandhaltung.</translation>
    </message>
    <message>
        <source>Use equipment of the class this step asks for.</source>
        <translation>Verwenden Sie eine Anlage der Klasse, die dieser Schritt verlangt.</translation>
    </message>
    <message>
        <source>Use other equipment of the same class and inform maintenance.</source>
        <translation>Verwenden Sie eine andere Anlage derselben Klasse und informieren Sie die Instandhaltung.</translation>
    </message>
    <message>
        <source>Use other equipment of the same class and inform metrology.</source>
        <translation>Verwenden Sie eine andere Anlage derselben Klasse und informieren Sie die Messtechnik.</translation>
    </message>
    <message>
        <source>Have the equipment cleaned and its cleaning recorded, or use other equipment.</source>
        <translation>Lassen Sie die Anlage reinigen und die Reinigung erfassen, oder verwenden Sie eine andere Anlage.</translation>
    </message>
    <message>
        <source>Do the daily check first, or ask a supervisor to override with a reason.</source>
        <translation>Führen Sie zuerst die Tagesprüfung durch oder lassen Sie Vorgesetzte mit Begründung freigeben.</translation>
    </message>
    <message>
        <source>Adjust the quantity and weigh again, or ask a supervisor to override.</source>
        <translation>Passen Sie die Menge an und wiegen Sie erneut, oder lassen Sie Vorgesetzte freigeben.</translation>
    </message>
    <message>
        <source>Wait until the scale is stable, then weigh again.</source>
        <translation>Warten Sie, bis die Waage stabil ist, und wiegen Sie dann erneut.</translation>
    </message>
    <message>
        <source>Enter the user id and password again.</source>
        <translation>Geben Sie Benutzer-ID und Passwort erneut ein.</translation>
    </message>
    <message>
        <source>Ask an administrator to unlock the account.</source>
        <translation>Lassen Sie das Konto von der Administration entsperren.</translation>
    </message>
    <message>
        <source>The value is recorded and a deviation is open: a supervisor must acknowledge it.</source>
        <translation>Der Wert ist erfasst und eine Abweichung ist offen: Vorgesetzte müssen sie bestätigen.</translation>
    </message>
    <message>
        <source>A supervisor must acknowledge the open deviation first.</source>
        <translation>Vorgesetzte müssen zuerst die offene Abweichung bestätigen.</translation>
    </message>
    <message>
        <source>Set a new password first: the initial one may only be changed.</source>
        <translation>Setzen Sie zuerst ein neues Passwort: das Erstpasswort kann nur geändert werden.</translation>
    </message>
    <message>
        <source>Use a smaller scale, or weigh a larger quantity in one go.</source>
        <translation>Nehmen Sie eine kleinere Waage, oder wiegen Sie eine größere Menge auf einmal.</translation>
    </message>
    <message>
        <source>Use a scale whose capacity covers the load, or split the quantity.</source>
        <translation>Nehmen Sie eine Waage, deren Höchstlast reicht, oder teilen Sie die Menge.</translation>
    </message>
    <message>
        <source>Enter the weight as the scale shows it, then weigh again.</source>
        <translation>Geben Sie das Gewicht so ein, wie die Waage es anzeigt, und wiegen Sie erneut.</translation>
    </message>
    <message>
        <source>Use the scale whose label was scanned, or scan the label of this scale.</source>
        <translation>Nehmen Sie die Waage, deren Etikett gescannt wurde, oder scannen Sie das Etikett dieser Waage.</translation>
    </message>
    <message>
        <source>A supervisor must decide how the batch goes on: continue, repeat or hold.</source>
        <translation>Ein Schichtleiter muss entscheiden, wie die Charge weitergeht: fortsetzen, wiederholen oder anhalten.</translation>
    </message>
    <message>
        <source>Restore the connection to the central QMS; the station starts batches again once it has synced.</source>
        <translation>Stellen Sie die Verbindung zum zentralen QMS wieder her; neue Chargen starten wieder, sobald synchronisiert ist.</translation>
    </message>
    <message>
        <source>Stop and call plant IT: the station&apos;s clock must be set right before work goes on.</source>
        <translation>Anhalten und die Werks-IT rufen: die Uhr der Station muss richtig gestellt werden, bevor es weitergeht.</translation>
    </message>
    <message>
        <source>Do not release the batch: report the record to QA management and plant IT.</source>
        <translation>Charge nicht freigeben: das Protokoll der QA-Leitung und der Werks-IT melden.</translation>
    </message>
    <message>
        <source>Choose why the scale cannot be used and have a supervisor sign as witness.</source>
        <translation>Wählen Sie, warum die Waage nicht nutzbar ist, und lassen Sie eine(n) Vorgesetzte(n) als Zeugen unterschreiben.</translation>
    </message>
    <message>
        <source>Choose a password you have not used before.</source>
        <translation>Wählen Sie ein Passwort, das Sie noch nicht verwendet haben.</translation>
    </message>
    <message>
        <source>Set a new password first: the old one has expired.</source>
        <translation>Setzen Sie zuerst ein neues Passwort: das alte ist abgelaufen.</translation>
    </message>
</context>
</TS>
