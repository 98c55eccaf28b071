using Tandem.Tasks.Translation;

namespace Tandem.Tests.Tasks.Translation;

/// <summary>Spacing put back after a WordPiece decode, as Multi30k's references write it.</summary>
public sealed class TextDetokenizerTests
{
    [Theory]
    [InlineData("Ein Mann im blauen T - Shirt spielt Gitarre.", "Ein Mann im blauen T-Shirt spielt Gitarre.")]
    [InlineData("Zwei Baseball - Spieler ( in Weiß ) laufen.", "Zwei Baseball-Spieler (in Weiß) laufen.")]
    [InlineData("Ein Schild mit der Aufschrift „ Willkommen “ .", "Ein Schild mit der Aufschrift „Willkommen“.")]
    [InlineData("Ein Mann sagt \" Hallo \" zu einem Hund.", "Ein Mann sagt \"Hallo\" zu einem Hund.")]
    [InlineData("Ein Mädchen ; ein Junge : beide lachen !", "Ein Mädchen; ein Junge: beide lachen!")]
    [InlineData("Ein  Hund   läuft.", "Ein Hund läuft.")]
    public void PunctuationIsSpacedAsWritten(string decoded, string expected) =>
        Assert.Equal(expected, TextDetokenizer.Detokenize(decoded));
}
