using System.IO.Compression;
using System.Text;
using Tandem.Tasks.Translation;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Translation;

/// <summary>Roff requests, macros and escapes stripped from a manual page, its prose kept a sentence a line.</summary>
public sealed class ManPageTextTests
{
    const string Page = """
        .\" -*- coding: UTF-8 -*-
        .TH LS 1 "September 2022" "GNU coreutils 9.1" "Dienstprogramme für Benutzer"
        .SH BESCHREIBUNG
        .PP
        Auflistung von Informationen über die DATEIen (Standardvorgabe ist das
        aktuelle Verzeichnis). Die Einträge werden alphabetisch sortiert, falls
        weder \fB\-cftuvSUX\fP noch \fB\-\-sort\fP angegeben wurden.
        .TP
        \fB\-a\fP, \fB\-\-all\fP
        Einträge nicht ignorieren, die mit \(Fo.\(Fc beginnen
        .PP
        Die Datei wird mit
        .B ls
        gelistet, siehe
        .BR dir (1).
        .nf
        ls \-l /usr/bin | sort \-k5 | head \-n 3
        .fi
        Größen werden als 1K 234M 2G usw. ausgegeben\*(Tm und sonst nichts.
        """;

    [Fact]
    public void ProseStaysRequestsEscapesAndCodeGo()
    {
        var lines = ManPageText.Sentences(Page);
        Assert.Equal(
        [
            "Auflistung von Informationen über die DATEIen (Standardvorgabe ist das aktuelle Verzeichnis).",
            "Die Einträge werden alphabetisch sortiert, falls weder -cftuvSUX noch --sort angegeben wurden.",
            "Einträge nicht ignorieren, die mit «.» beginnen",
            "Die Datei wird mit ls gelistet, siehe dir(1).",
            "Größen werden als 1K 234M 2G usw. ausgegeben und sonst nichts.",
        ], lines);
    }

    [Fact]
    public void LinesOfMostlyOptionsAndSymbolsAreDropped()
    {
        Assert.Empty(ManPageText.Sentences(".PP\n\\fB\\-a\\fP, \\fB\\-\\-all\\fP, \\fB\\-b\\fP /usr/bin/x\n"));
    }

    [Fact]
    public void ReadsAGzippedPage()
    {
        using var dir = Paths.TempDir();
        using (var gz = new GZipStream(File.Create(dir["ls.1.gz"]), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(Page));
        Assert.Equal(5, ManPageText.ReadPage(dir["ls.1.gz"]).Count);
    }
}
