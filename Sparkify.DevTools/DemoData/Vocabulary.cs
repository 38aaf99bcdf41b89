namespace Sparkify.DevTools.DemoData;

/// <summary>
/// Word lists the synthetic names are built from. Some entries carry accents, apostrophes or slashes on purpose:
/// the real files have them, and the loader must handle their escapes.
/// </summary>
internal static class Vocabulary
{
    public static readonly string[] TitleAdjectives =
    [
        "Blue", "Golden", "Broken", "Electric", "Lonely", "Silver", "Wild", "Sweet", "Midnight", "Crazy", "Little",
        "Burning", "Cold", "Endless", "Hollow", "Lost", "Quiet", "Restless", "Secret", "Velvet", "Wicked", "Young",
        "Dark", "Bright", "Fading", "Holy", "Lazy", "Neon", "Paper", "Rusty", "Shining", "Strange", "Sunday", "Tender",
        "Última", "Pequeño", "Süße", "Dernière", "Rock 'n' Roll", "Lovin'", "Good Ol'",
    ];

    public static readonly string[] TitleNouns =
    [
        "Heart", "Highway", "River", "Dream", "Fire", "Rain", "Sky", "Night", "Love", "Road", "Train", "City", "Summer",
        "Angel", "Ocean", "Shadow", "Morning", "Window", "Mountain", "Radio", "Garden", "Stranger", "Mirror", "Thunder",
        "Memory", "Desert", "Island", "Letter", "Sunrise", "Whiskey", "Moon", "Dancer", "Kingdom", "Smoke", "Wire",
        "Café", "Mañana", "Corazón", "Señorita", "Noël", "Déjà Vu", "Crème Brûlée", "Mädchen", "Niño", "Rêve",
        "Fräulein", "Canción", "AC/DC Tribute", "24/7",
    ];

    public static readonly string[] TitlePhrases =
    [
        "I Didn't Mean To", "Don't Let Me Go", "You Gotta Be", "Can't Stop Now", "We'll Be Fine", "It's Over",
        "Ain't No Sunshine", "Won't Back Down", "Hold On", "Take Me Home", "Say It Again", "Let It Burn",
        "Where Did You Sleep", "Nobody Knows", "Come Back Tomorrow", "She's Gone", "I'm Still Here", "Tell Me Why",
        "Adiós", "Bésame", "¿Por Qué?", "Über Alles", "Oh là là", "Ça Va", "Año Nuevo",
    ];

    public static readonly string[] TitleSuffixes =
    [
        " (Album Version)", " (Live)", " (Remastered)", " [Remix]", " (Acoustic)", " (Radio Edit)", " - Demo",
        " (Extended Mix)", " (feat. DJ Süß)",
    ];

    public static readonly string[] BandNouns =
    [
        "Strangers", "Wolves", "Ramblers", "Kings", "Satellites", "Hurricanes", "Pilots", "Drifters", "Ghosts",
        "Machines", "Outlaws", "Sirens", "Tigers", "Dreamers", "Rebels", "Cowboys", "Poets", "Señores", "Mötleys",
    ];

    public static readonly string[] ArtistFirstNames =
    [
        "Johnny", "Billie", "Marvin", "Aretha", "Nina", "Otis", "Etta", "Ray", "Patsy", "Dolly", "Carlos", "Lucía",
        "Björk", "José", "Zoë", "Sinéad", "Beyoncé", "André", "Renée", "Chloé", "Jürgen", "Des'ree", "Eddie",
        "Miles", "Ella", "Stevie", "Joni", "Gram", "Lou", "Iggy", "Tom", "Kate", "Neil", "Sade", "Björn",
    ];

    public static readonly string[] ArtistLastNames =
    [
        "Cash", "Holiday", "Gaye", "Franklin", "Simone", "Redding", "James", "Charles", "Cline", "Parton", "Santana",
        "Márquez", "O'Connor", "D'Angelo", "Müller", "Nuñez", "Gómez", "Lefèvre", "Davis", "Fitzgerald", "Wonder",
        "Mitchell", "Parsons", "Reed", "Pop", "Waits", "Bush", "Young", "Adu", "Ulvaeus", "Brown", "Jones",
    ];

    public static readonly string[] ArtistSingleNames =
    [
        "Casual", "Mirage", "Polaris", "Tundra", "Echo", "Nomad", "Zephyr", "Kismet", "Solstice", "Vortex", "Ozone",
        "Halcyon", "Ultravox", "Cœur", "Niña", "Fantômas", "Los Años", "Ümlaut", "DJ Shadow", "MC Lyte", "Sub/Urban",
    ];

    public static readonly string[] ListenerFemaleNames =
    [
        "Kaylee", "Lily", "Chloe", "Jacqueline", "Tegan", "Aleena", "Jayden", "Kate", "Layla", "Ava", "Mia",
        "Sophia", "Madison", "Harper", "Emily", "Zoë", "Mónica", "Anna", "Rylan", "Jordyn",
    ];

    public static readonly string[] ListenerMaleNames =
    [
        "Ryan", "Jacob", "Lucas", "Mohammad", "Matthew", "Theodore", "Jayden", "Kevin", "Aiden", "Ethan", "Noah",
        "Liam", "Mason", "Logan", "Elijah", "José", "Jesús", "Wyatt", "Connar", "Sean",
    ];

    public static readonly string[] ListenerLastNames =
    [
        "Summers", "Koch", "Cuevas", "Lynch", "Levine", "Kirby", "Smith", "Graham", "Garrison", "Williams", "Jones",
        "Harrell", "Roth", "Moreno", "Nguyen", "Patel", "O'Brien", "Peña", "Müller", "Dubois", "Harris", "Jackson",
        "Ortiz", "Larson", "Cruz", "Santiago", "Reyes", "Clark",
    ];

    public static readonly string[] ListenerLocations =
    [
        "Phoenix-Mesa-Scottsdale, AZ", "San Francisco-Oakland-Hayward, CA", "Chicago-Naperville-Elgin, IL-IN-WI",
        "New York-Newark-Jersey City, NY-NJ-PA", "Atlanta-Sandy Springs-Roswell, GA", "Lansing-East Lansing, MI",
        "Los Angeles-Long Beach-Anaheim, CA", "Houston-The Woodlands-Sugar Land, TX", "Birmingham-Hoover, AL",
        "Portland-South Portland, ME", "Tampa-St. Petersburg-Clearwater, FL", "Waterloo-Cedar Falls, IA",
        "Seattle-Tacoma-Bellevue, WA", "Detroit-Warren-Dearborn, MI", "Santa Maria-Santa Barbara, CA",
        "San José-Sunnyvale-Santa Clara, CA", "Winston-Salem, NC", "Marinette, WI-MI", "Red Bluff, CA",
        "Augusta-Richmond County, GA-SC",
    ];

    // The real log quotes an agent (quotes included) exactly when it contains a comma: a CSV export artefact.
    public static readonly string[] UserAgents =
    [
        "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36\"",
        "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36\"",
        "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0",
        "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.77.4 (KHTML, like Gecko) Version/7.0.5 Safari/537.77.4\"",
        "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)",
        "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0",
        "\"Mozilla/5.0 (Windows NT 6.3; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36\"",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0",
        "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36\"",
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    ];

    /// <summary>Artist home towns with coordinates in hundred-thousandths of a degree.</summary>
    public static readonly ArtistPlace[] ArtistPlaces =
    [
        new("California - LA", 3405349, -11824532),
        new("New York, NY", 4071455, -7400712),
        new("London, England", 5150632, -12714),
        new("Chicago, IL", 4188415, -8763241),
        new("Memphis, TN", 3514968, -9004892),
        new("Hamilton, Ohio", 3939971, -8456134),
        new("Québec, Canada", 4681228, -7121454),
        new("São Paulo, Brazil", -2354894, -4663882),
        new("Reykjavík, Iceland", 6413548, -2189541),
        new("Köln, Germany", 5093754, 696027),
        new("Ciudad de México, México", 1943261, -9913321),
        new("Stockholm, Sweden", 5933217, 1806243),
        new("Detroit, MI", 4233168, -8304792),
        new("Nashville, TN", 3616778, -8677814),
        new("Kingston, Jamaica", 1799702, -7679358),
        new("Paris, France", 4885693, 234121),
        new("Montréal, Québec, Canada", 4551228, -7355439),
        new("Austin, TX", 3026759, -9774299),
        new("Seattle, WA", 4760356, -12232944),
        new("Bogotá, Colombia", 459805, -7407583),
        new("Dublin, Ireland", 5334376, -624953),
        new("Sydney, Australia", -3386963, 15120695),
        new("Glasgow / Scotland", 5586424, -425181),
    ];
}

internal sealed record ArtistPlace(string Name, long Latitude, long Longitude);
