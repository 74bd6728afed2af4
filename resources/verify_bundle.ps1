<#
verify_bundle.ps1 - check every file of a Victim Log export against its lists,
with nothing but Windows PowerShell (5.1, built into Windows 10 and 11) or
PowerShell 7.

    powershell -ExecutionPolicy Bypass -File verify_bundle.ps1 -Path log.zip
    powershell -ExecutionPolicy Bypass -File verify_bundle.ps1 -Path C:\unzipped\log

It recomputes the SHA-256 of every file (Get-FileHash) and compares it with
manifest-sha256.txt (the evidence, the PDF, the tables) and tagmanifest-sha256.txt
(the lists themselves, README.txt, bag-info.txt), and names every file that was
changed, is missing, or is not listed.

IT DOES NOT CHECK THE SIGNATURE. Whoever changes a file can also rewrite the lists
and this script, so a clean result here shows only that the files agree with the
lists in this copy. Only a signature check against the key the sender gave you by
phone or in person shows the bundle is as they exported it: victim-log verify,
verify_bundle.py (Python), minisign -V or ssh-keygen -Y verify, as README.txt says.

Exit code: 0 every file matches, 1 a file was changed, missing or not listed,
2 this is not a bundle this script can read.
This file is plain ASCII on purpose: Windows PowerShell 5.1 reads it correctly.
#>
param(
    [Parameter(Position = 0)]
    [string]$Path = "."
)

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"
$NoSignature = "This script does NOT check the signature: it cannot tell whether the lists themselves were remade. Check the signature with victim-log verify, verify_bundle.py, minisign or ssh-keygen against the key the sender gave you (see README.txt)."

$script:temp = $null

function Stop-NotABundle([string]$Why) {
    if ($null -ne $script:temp) { Remove-Item -LiteralPath $script:temp -Recurse -Force -ErrorAction SilentlyContinue }
    Write-Output "NOT A BUNDLE: $Why"
    Write-Output $NoSignature
    exit 2
}

function ConvertFrom-ManifestPath([string]$Encoded) {
    # RFC 8493: only CR, LF and % are percent-encoded in manifest paths (%25 last).
    return $Encoded.Replace("%0A", "`n").Replace("%0a", "`n").Replace("%0D", "`r").Replace("%0d", "`r").Replace("%25", "%")
}

function Read-Manifest([string]$Bag, [string]$Name) {
    # STEP 3: read a manifest: one "<64 hex>  <path>" a line; anything else is refused.
    $file = [System.IO.Path]::Combine($Bag, $Name)
    if (-not [System.IO.File]::Exists($file)) { Stop-NotABundle "$Name is missing" }
    $entries = [ordered]@{}
    foreach ($line in [System.IO.File]::ReadAllLines($file, [System.Text.Encoding]::UTF8)) {
        if ($line -eq "") { continue }
        if ($line -notmatch '^([0-9a-fA-F]{64})[ \t]+(.+)$') { Stop-NotABundle "a line of $Name is not a SHA-256 and a path" }
        $hash = $Matches[1].ToLowerInvariant()
        $rel = ConvertFrom-ManifestPath $Matches[2]
        # STEP 4: a path must stay inside the bundle: no absolute path, no "..", no "\".
        if ($rel.StartsWith("/") -or $rel.Contains("\") -or $rel -match '(^|/)\.\.?(/|$)' -or $rel -match '^[A-Za-z]:') {
            Stop-NotABundle "$Name names a path outside the bundle"
        }
        if ($entries.Contains($rel)) { Stop-NotABundle "$Name lists a file twice" }
        $entries[$rel] = $hash
    }
    return $entries
}

function Get-Sha256([string]$File) {
    return (Get-FileHash -LiteralPath $File -Algorithm SHA256).Hash.ToLowerInvariant()
}

# STEP 1: a .zip is unzipped into a new temporary folder first (nothing is run from it).
try { $target = (Resolve-Path -LiteralPath $Path).ProviderPath } catch { Stop-NotABundle "no such file or folder" }
if ([System.IO.File]::Exists($target)) {
    if (-not $target.ToLowerInvariant().EndsWith(".zip")) { Stop-NotABundle "give the bundle's .zip file or its unzipped folder" }
    # Every name in the zip must stay inside the folder it is unzipped to.
    $names = $null
    try {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($target)
        try { $names = @($zip.Entries | ForEach-Object { $_.FullName }) } finally { $zip.Dispose() }
    } catch { Stop-NotABundle "the zip file cannot be opened" }
    foreach ($n in $names) {
        $s = $n.Replace("\", "/")
        if ($s.StartsWith("/") -or $s -match '(^|/)\.\.(/|$)' -or $s.Contains(":")) { Stop-NotABundle "the zip names a path outside its folder" }
    }
    # A short folder name: Windows PowerShell 5.1 cannot write paths over 260 characters.
    $script:temp = Join-Path ([System.IO.Path]::GetTempPath()) ("vlc-" + [System.Guid]::NewGuid().ToString("N").Substring(0, 8))
    try { Expand-Archive -LiteralPath $target -DestinationPath $script:temp } catch { Stop-NotABundle "the zip file cannot be opened" }
    $target = $script:temp
}
if (-not [System.IO.Directory]::Exists($target)) { Stop-NotABundle "no such file or folder" }

# STEP 2: the bag is the folder holding bagit.txt: the one given, or its only subfolder.
$bag = $null
if ([System.IO.File]::Exists([System.IO.Path]::Combine($target, "bagit.txt"))) {
    $bag = $target
} else {
    $subs = @(Get-ChildItem -LiteralPath $target -Directory -Force)
    if ($subs.Count -eq 1 -and [System.IO.File]::Exists([System.IO.Path]::Combine($subs[0].FullName, "bagit.txt"))) {
        $bag = $subs[0].FullName
    }
}
if ($null -eq $bag) { Stop-NotABundle "no bagit.txt here (unzip the bundle, or give the .zip file)" }

$tagEntries = Read-Manifest $bag "tagmanifest-sha256.txt"
$payloadEntries = Read-Manifest $bag "manifest-sha256.txt"
$problems = New-Object System.Collections.Generic.List[string]
$checked = 0

# STEP 5: every listed file must exist and have the listed SHA-256 (tag files, then data/).
foreach ($list in @($tagEntries, $payloadEntries)) {
    foreach ($rel in $list.Keys) {
        $file = [System.IO.Path]::Combine($bag, $rel.Replace("/", [System.IO.Path]::DirectorySeparatorChar))
        if (-not [System.IO.File]::Exists($file)) {
            $problems.Add("MISSING: $rel")
        } elseif ((Get-Sha256 $file) -ne $list[$rel]) {
            $problems.Add("CHANGED: $rel")
        } else {
            $checked += 1
        }
    }
}

# STEP 6: every file in the bundle must be listed (the two signature files sign the lists).
$unlisted = @("tagmanifest-sha256.txt", "tagmanifest-sha256.txt.minisig", "tagmanifest-sha256.txt.sig")
$prefix = $bag.TrimEnd([System.IO.Path]::DirectorySeparatorChar).Length + 1
foreach ($item in Get-ChildItem -LiteralPath $bag -Recurse -File -Force) {
    $rel = $item.FullName.Substring($prefix).Replace([System.IO.Path]::DirectorySeparatorChar, "/")
    if ($unlisted -contains $rel) { continue }
    if (-not ($payloadEntries.Contains($rel) -or $tagEntries.Contains($rel))) { $problems.Add("NOT LISTED: $rel") }
}

# STEP 7: the verdict, and always what was not checked.
if ($null -ne $script:temp) { Remove-Item -LiteralPath $script:temp -Recurse -Force -ErrorAction SilentlyContinue }
foreach ($p in $problems) { Write-Output $p }
if ($problems.Count -gt 0) {
    Write-Output "RESULT: PROBLEMS FOUND ($($problems.Count)). The files named above do not match the bundle's lists."
    Write-Output $NoSignature
    exit 1
}
Write-Output "RESULT: all $checked files match the bundle's lists (manifest-sha256.txt and tagmanifest-sha256.txt)."
Write-Output $NoSignature
exit 0
