<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AdminSignController</name>
    <message>
        <source>Your password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason (mandatory)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User administration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChangePassword</name>
    <message>
        <source>Enter your current (initial) password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new password needs at least %1 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new password must differ from the current one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two new passwords do not match.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CheckView</name>
    <message>
        <source>YES</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NO</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeviationController</name>
    <message>
        <source>What happened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raise a deviation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAISE THE DEVIATION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <source>Scale: none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale: DISCONNECTED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale: FAULT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale: connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale: stable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale: moving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanner: keyboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanner: ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanner: DISCONNECTED</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EquipmentView</name>
    <message>
        <source>Scan the equipment label (or type its id and press Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CONTINUE  ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the equipment: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NOT OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not checked</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Forms</name>
    <message>
        <source>Material</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Equipment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Safety</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CONTINUE THE BATCH</source>
        <extracomment>How a supervisor may decide on a check that stopped the batch (``on_failure: block``).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REPEAT THE CHECK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HOLD THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor: enter the user id or scan the badge.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the supervisor&apos;s password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose how the batch goes on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A reason is mandatory (at least %1 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Describe the deviation (at least %1 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a category.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>No batch open</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HealthPage</name>
    <message>
        <source>Station health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What `mes-station doctor` checks; the devices are shown in the header above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CHECK AGAIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>USER ACCOUNTS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HoldController</name>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume the batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the batch on hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A reason for resuming (optional).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is the batch put on hold?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RESUME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HOLD THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Home</name>
    <message>
        <source>In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No approved recipe on this station.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the batch id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch id: 2 to 40 letters, digits, &apos;-&apos;, &apos;.&apos;, &apos;/&apos; or &apos;_&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch %1 already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a batch size above zero.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all steps done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>open deviations: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Batches at this station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved recipes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OPEN THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>START A NEW BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REFRESH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>USER ACCOUNTS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Login</name>
    <message>
        <source>Badge %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACCOUNT LOCKED. Ask a supervisor or the administrator to unlock it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User id, badge or password is wrong. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login refused.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginController</name>
    <message>
        <source>User id or badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan your badge, or type your user id; then your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG IN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>EXIT STATION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator login to close the station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only an administrator can close the station.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>MES station</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Logged out after %n minute(s) without activity.</source>
        <translation>
            <numerusform>Logged out after %n minute without activity.</numerusform>
            <numerusform>Logged out after %n minutes without activity.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ManualWeighView</name>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEXT: WITNESS  ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entered by hand: why not from the scale?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A second person (a supervisor) signs as witness of this weight entered by hand:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reason, in words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Witness: user id or badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN AND RECORD</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ManualWeighing</name>
    <message>
        <source>Scale disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale faulty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale out of calibration during the batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other reason (in words)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MeasureView</name>
    <message>
        <source>RECORD VALUE</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OverrideController</name>
    <message>
        <source>Supervisor: user id or badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason (mandatory)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decision: the batch is stopped at %1 (e-signature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN THE DECISION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor acknowledgement (e-signature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN AND ACKNOWLEDGE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor override (e-signature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN AND OVERRIDE</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PanelView</name>
    <message>
        <source>OK, BACK TO THE STEP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor (not who answered) decides with an e-signature and a reason: continue, repeat the check, or hold the batch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor may override this with an e-signature and a reason; a deviation is opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor must acknowledge this deviation with an e-signature and a reason.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PasswordController</name>
    <message>
        <source>Current password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set your own password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your password must be changed: it is the initial one, an administrator reset it, or it has expired. Choose a new one: at least 8 characters of 3 kinds, none of your last passwords.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SAVE PASSWORD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>RECORDED WITH A DEVIATION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ERROR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REFUSED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SUPERVISOR DECISION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SUPERVISOR ACKNOWLEDGE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OVERRIDE</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RefusalSentence</name>
    <message>
        <source>{document} is not a controlled document known to the station: training of {user} on it cannot be confirmed</source>
        <extracomment>Every sentence template of ``gating.wording`` (refusals) and ``station.engine.messages`` (actions the engine cannot take), marked for translation (tests/ui keeps them equal). Blanks in braces are filled after translation: keep each one.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The training of {user} on {document} revision {revision} expired on {day}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} is trained on {document} revision {trained}, but revision {revision} is current: retraining is needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} is trained on {document} revision {trained}, but the station knows revision {revision} as current: the master data needs to be synchronised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} has no training record for {document} ({title})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This needs the {role} role; {user} has {roles}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} performed {steps}: this signature must come from someone else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user id or password is not correct</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account of {user} is locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account of {user} is not active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user id or password is not correct: the signature was not accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account of {user} is locked: it cannot sign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account of {user} is not active: it cannot sign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password of {user} is not correct: the signature was not accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account of {user} is locked: a supervisor must unlock it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong password: the account of {user} is now locked after {attempts} failed attempts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account of {user} is deactivated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown user or wrong password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every step is done: {step} cannot be done now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{step} cannot be done now: the current step is {current}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 deviation is open: {deviations}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} deviations are open: {deviations}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deviation at {step} is open: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer to &apos;{question}&apos; was {answer}, {expected} was expected: recorded, deviation opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YES</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NO</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} is not known to the station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} of {material}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} is {material} ({code}), but this step weighs {wanted}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{material} ({code})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lot} is REJECTED: it may not be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lot} is QUARANTINED: it may not be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lot} has status {status}, not released: it may not be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lot} expired on {day}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lot} was due for retest on {day}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unreadable barcode {code}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this is not a lot label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this is not an equipment label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Equipment {equipment} is not known to the station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Equipment {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} is a {found}, but this step needs a {wanted}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} ({name}) is OUT OF SERVICE: it may not be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} has no calibration on record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} calibration expired on {day}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} has no cleaning on record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} is not clean: its clean hold time ended {instant}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} has no daily check on record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{equipment} daily check is due since {instant}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The scale reading is not stable: it cannot be accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net weight {weight} is above the upper limit {limit} by {by}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net weight {weight} is below the lower limit {limit} by {by}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} {value} is below the lower limit {limit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} {value} is above the upper limit {limit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The record of batch {batch} does not verify ({problem}): it cannot be approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new password is one of the last {history} passwords of {user}: choose another</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password of {user} is older than {days} days: it must be changed before anything else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A weight entered by hand needs its reason: the scale is disconnected, faulty or out of calibration, or another reason in words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A weight entered by hand needs a second person&apos;s e-signature as witness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{witness} entered the weight: the witness must be another person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A weight entered by hand is not overridden: enter it again, witnessed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session of {user} has ended ({why}): log in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a review needs a comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} does not hold the qa role a batch review needs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} took part in batch {batch}: an independent QA reviewer is needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} is {status}: only a completed batch is reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} has been reviewed already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody is logged in: log in first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a new password must be set before working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no batch is open: start or open a batch first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} exists already for {recipe} v{version}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recipe {recipe} version {version} is not imported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recipe {recipe} version {version} is not approved by QA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch size {size} {unit} is not a positive mass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} is on hold: resume it first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} is completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} is completed already</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch {batch} is {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an override needs a reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing to override at {step}: no refusal and no open deviation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing to decide at {step}: the batch is not stopped there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a decision needs a reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the text has {length} characters: at most {limit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no accepted weighing to print a label for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{codes} cannot be overridden: fix the cause instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a deviation needs a category and a text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{day} {mon} {year}</source>
        <extracomment>How a sentence writes a date (``month``: 1-12, ``mon``: Jan-Dec) and an instant.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{date} {time} {zone}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{scale} carries at most {capacity}: {weight} is more than it can weigh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net weight {weight} is below the minimum weight {minimum} of {scale}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what} {weight} is not a weight: it must be zero or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net weight {weight} is not a weighing: the gross must be more than the tare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what} {weight} is finer than {scale} can read (it reads {readability})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gross</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The scale at the station reports serial number {reported}, but {scale} has serial number {expected}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The scale at the station does not report its serial number: it cannot be confirmed as {scale}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{user} still has the initial password: it must be changed before anything else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The batch is stopped at {step}: {question} was answered {answer}; a supervisor must decide how it goes on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The station&apos;s clock ({clock}) is behind the newest record ({newest}): nothing can be recorded until it is set right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The oldest record not yet at the central QMS is {age} old (the site allows {limit}): no new batch until it is synced</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>Batch record reviewed and approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch record reviewed and rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QA review: batch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QA review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Awaiting review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 by %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signature at this step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refusal overridden</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refusal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deviation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value outside its limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weighing refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor acknowledgement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight entered by hand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the batch as a whole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sentence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Central number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What happened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How it was closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NOT CLOSED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Material and lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weighed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>net %1 %2 (gross %3, tare %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>net</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>overridden by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-weighed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why not from the scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recorded value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NO: the audit trail does not verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit chain verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exceptions: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OPEN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — signed by %2 (%3), meaning: %4, at %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve the batch record (e-signature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject the batch record (e-signature)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch %1 · meaning of the signature: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN AND APPROVE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN AND REJECT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your user id or scan your badge.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A comment is mandatory.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewListPage</name>
    <message>
        <source>Batch records for QA review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed batches at this station. Open one to review its exceptions and sign the verdict.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REVIEW THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AUDIT TRAIL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REFRESH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <source>FULL RECORD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◀ PREVIOUS STEP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NEXT STEP ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No exceptions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REJECT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>APPROVE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>EXCEPTIONS (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewSignController</name>
    <message>
        <source>User id or badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment (mandatory)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>quality assurance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>administrator</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Runner</name>
    <message>
        <source>Batch completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All steps done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 - step %3 of %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No open deviation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open deviations: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunnerPage</name>
    <message>
        <source>DEVIATION</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LABEL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BATCHES</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BACK TO THE BATCHES</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>COMPLETE THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RESUME THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RESUME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch %1 is completed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All steps are done. Complete the batch to close its record.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch %1 is ON HOLD.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This step cannot be shown on this station.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignatureView</name>
    <message>
        <source>Signer: user id or badge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SIGN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CONTINUE  ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meaning of this signature: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed by %1 (%2) at %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed by %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SimulatorWindow</name>
    <message>
        <source>Device simulator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gross weight, kg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PUT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REMOVE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UNPLUG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REPLUG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a weight: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scanned %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SiteTrail</name>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lockouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No events match the filters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Page %1 · newest first · times in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no user)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before: %1 → after: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SiteTrailController</name>
    <message>
        <source>QA: site audit trail</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SiteTrailPage</name>
    <message>
        <source>Site audit trail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◀ NEWER</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OLDER ▶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartController</name>
    <message>
        <source>Batch id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>START THE BATCH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CANCEL</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Steps</name>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limits: %1 to %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limit: at least %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limit: at most %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the value on the keypad.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inside the limits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OUTSIDE THE LIMITS: the value is recorded as entered and a deviation is opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibrated until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clean until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Daily check until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed by a %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> who did not perform %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>records differ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>station refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>receipt invalid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>records refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync cannot run: configuration · call IT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync: reading ...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SYNC ALARM · %1 · call QA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 unsent, oldest %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · no new batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · hub offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · refused, call IT</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Users</name>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOCKED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must change the password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>UNLOCK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RESET PASSWORD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DEACTIVATE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I unlock the account of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I reset the password of %1: a temporary one, to be changed at the next login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I deactivate %1: the account can no longer log in or sign.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: e-signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meaning of the signature: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your password to sign.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A reason is mandatory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is unlocked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password of %1 is reset: the temporary password below is shown once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is deactivated.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UsersController</name>
    <message>
        <source>User administration</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>User accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an account, then what to do; you sign it with your password and a reason. Supervisors unlock; administrators also reset passwords and deactivate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REFRESH</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LOG OUT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary password: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Weigh</name>
    <message>
        <source>Scan the label of the lot to dispense.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SCALE DISCONNECTED. Check the cable; weighing resumes when the scale is back, or enter the weight by hand with a witness.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SCALE FAULT (%1). Call maintenance, or enter the weight by hand with a witness.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the scale…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OUT OF TOLERANCE: %1 %3 is below the lower limit %2 %3. Add material.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OUT OF TOLERANCE: %1 %3 is above the upper limit %2 %3. Remove material.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading not stable. Wait until the scale settles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stable and inside the tolerance. ACCEPT records the weighing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target %1 %4   (%2 – %3 %4)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WeighView</name>
    <message>
        <source>TARE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ZERO</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACCEPT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ENTER BY HAND</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the lot label (GS1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the label of the lot of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Net</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gross</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tare</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WhatNext</name>
    <message>
        <source>Ask a trained colleague to do the step; training is arranged through the LMS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask a trained colleague to do the step; renew the training through the LMS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask a trained colleague to do the step; read and train on the current revision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask someone with the required role to sign.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask someone who did not perform the steps to sign.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do the current step first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the label, or ask the warehouse whether the lot is in the system.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the container aside and take a released lot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the container aside, label it rejected and take a released lot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set the container aside and take a lot within its expiry date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take another lot, or ask a supervisor to override with a reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take a container of the material this step asks for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the equipment label, or call maintenance.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use equipment of the class this step asks for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use other equipment of the same class and inform maintenance.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use other equipment of the same class and inform metrology.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Have the equipment cleaned and its cleaning recorded, or use other equipment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do the daily check first, or ask a supervisor to override with a reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adjust the quantity and weigh again, or ask a supervisor to override.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait until the scale is stable, then weigh again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the user id and password again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask an administrator to unlock the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The value is recorded and a deviation is open: a supervisor must acknowledge it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor must acknowledge the open deviation first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set a new password first: the initial one may only be changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a smaller scale, or weigh a larger quantity in one go.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use a scale whose capacity covers the load, or split the quantity.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the weight as the scale shows it, then weigh again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the scale whose label was scanned, or scan the label of this scale.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A supervisor must decide how the batch goes on: continue, repeat or hold.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore the connection to the central QMS; the station starts batches again once it has synced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop and call plant IT: the station&apos;s clock must be set right before work goes on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do not release the batch: report the record to QA management and plant IT.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose why the scale cannot be used and have a supervisor sign as witness.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a password you have not used before.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set a new password first: the old one has expired.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
