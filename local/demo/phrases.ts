/**
 * The demo feed's phrase banks, written for this project in English, Spanish, French and German.
 * Placeholders: {product} a product mention, {days} a small number, {carrier} a parcel carrier,
 * {email} {phone} {order} invented contact details (example.com, reserved fiction ranges).
 *
 * No sentence may mention a safety hazard (fire, smoke, melting, burns, shock, injury, choking,
 * allergies, in any language): the score stage alerts on those at once by design, and the demo's
 * acceptance is exactly one alert, from the injected spike. `test/unit/demo-feed.test.ts` checks it.
 */
export const languages = ['en', 'es', 'fr', 'de'] as const;
export type Lang = (typeof languages)[number];
export type Phrases = Readonly<Record<Lang, readonly string[]>>;

export type ProductKind = 'footwear' | 'apparel' | 'kitchen' | 'electronics' | 'home';

/** How the demo talks about one catalog product. */
export interface ProductVoice {
  kind: ProductKind;
  /** Relative share of the feed's volume. */
  weight: number;
  /** Noun phrases used as a sentence object ("I bought {product}"). */
  mentions: Phrases;
  /** Taxonomy component ids this product's defect and quality complaints name. */
  defectComponents: readonly string[];
  qualityComponents: readonly string[];
  /** Has a companion app, so app-store reviews exist. */
  hasApp: boolean;
  /** Comes in sizes, so sizing complaints exist. */
  sized: boolean;
  /** Variants for `attributes.variant`. */
  variants: readonly string[];
}

export const productVoices: Readonly<Record<string, ProductVoice>> = {
  'TRL-BOOT-42': {
    kind: 'footwear',
    weight: 1.6,
    mentions: {
      en: ['the Trailhead boots', 'these boots', 'my Trailheads', 'the Trailhead hiking boots'],
      es: ['las botas Trailhead', 'estas botas', 'mis Trailhead'],
      fr: ['les chaussures Trailhead', 'ces chaussures de rando', 'mes Trailhead'],
      de: ['die Trailhead Wanderschuhe', 'diese Wanderstiefel', 'meine Trailhead'],
    },
    defectComponents: ['sole', 'heel'],
    qualityComponents: ['seam', 'fabric', 'sole'],
    hasApp: false,
    sized: true,
    variants: ['EU 40', 'EU 41', 'EU 42', 'EU 43', 'EU 44', 'EU 45'],
  },
  'CTY-KNIT-01': {
    kind: 'footwear',
    weight: 1.0,
    mentions: {
      en: ['the Citywalk sneakers', 'these sneakers', 'my Citywalks'],
      es: ['las zapatillas Citywalk', 'estas zapatillas', 'mis Citywalk'],
      fr: ['les baskets Citywalk', 'ces baskets', 'mes Citywalk'],
      de: ['die Citywalk Sneaker', 'diese Turnschuhe', 'meine Citywalk'],
    },
    defectComponents: ['sole', 'heel'],
    qualityComponents: ['fabric', 'seam', 'color'],
    hasApp: false,
    sized: true,
    variants: ['EU 38 white', 'EU 40 black', 'EU 42 grey', 'EU 44 navy'],
  },
  'ALP-SHELL-M': {
    kind: 'apparel',
    weight: 1.3,
    mentions: {
      en: ['the Alpenglow jacket', 'this rain shell', 'my Alpenglow'],
      es: ['la chaqueta Alpenglow', 'esta chaqueta', 'mi Alpenglow'],
      fr: ['la veste Alpenglow', 'cette veste de pluie', 'ma Alpenglow'],
      de: ['die Alpenglow Regenjacke', 'diese Jacke', 'meine Alpenglow'],
    },
    defectComponents: ['zipper'],
    qualityComponents: ['seam', 'fabric', 'zipper'],
    hasApp: false,
    sized: true,
    variants: ['S', 'M', 'L', 'XL'],
  },
  'RDG-FLEECE-L': {
    kind: 'apparel',
    weight: 0.9,
    mentions: {
      en: ['the Ridgeline fleece', 'this fleece', 'my Ridgeline'],
      es: ['el forro polar Ridgeline', 'este forro polar', 'mi Ridgeline'],
      fr: ['la polaire Ridgeline', 'cette polaire', 'ma Ridgeline'],
      de: ['den Ridgeline Fleecepullover', 'diesen Fleece', 'meinen Ridgeline'],
    },
    defectComponents: ['zipper'],
    qualityComponents: ['fabric', 'seam', 'color'],
    hasApp: false,
    sized: true,
    variants: ['S', 'M', 'L', 'XL'],
  },
  'SCR-PANT-32': {
    kind: 'apparel',
    weight: 0.6,
    mentions: {
      en: ['the Scree trousers', 'these trekking pants', 'my Scree pants'],
      es: ['el pantalón Scree', 'este pantalón', 'mis Scree'],
      fr: ['le pantalon Scree', 'ce pantalon de trek', 'mon Scree'],
      de: ['die Scree Trekkinghose', 'diese Hose', 'meine Scree'],
    },
    defectComponents: ['zipper'],
    qualityComponents: ['seam', 'fabric', 'color'],
    hasApp: false,
    sized: true,
    variants: ['30/32', '32/32', '34/32', '36/34'],
  },
  'BRW-KETTLE-17': {
    kind: 'kitchen',
    weight: 1.1,
    mentions: {
      en: ['the Brewline kettle', 'this kettle', 'my Brewline'],
      es: ['el hervidor Brewline', 'este hervidor', 'mi Brewline'],
      fr: ['la bouilloire Brewline', 'cette bouilloire', 'ma Brewline'],
      de: ['den Brewline Wasserkocher', 'diesen Wasserkocher', 'meinen Brewline'],
    },
    defectComponents: ['lid', 'button', 'heating_element', 'seal'],
    qualityComponents: ['lid', 'handle'],
    hasApp: false,
    sized: false,
    variants: ['matte black', 'brushed steel', 'sage green'],
  },
  'VTX-BLEND-600': {
    kind: 'kitchen',
    weight: 0.9,
    mentions: {
      en: ['the Vortex blender', 'this blender', 'my Vortex'],
      es: ['la batidora Vortex', 'esta batidora', 'mi Vortex'],
      fr: ['le blender Vortex', 'ce blender', 'mon Vortex'],
      de: ['den Vortex Mixer', 'diesen Mixer', 'meinen Vortex'],
    },
    defectComponents: ['motor', 'lid', 'seal', 'button'],
    qualityComponents: ['lid', 'seal'],
    hasApp: false,
    sized: false,
    variants: ['white', 'black', 'coral'],
  },
  'GRN-BURR-S': {
    kind: 'kitchen',
    weight: 0.6,
    mentions: {
      en: ['the Grindhouse grinder', 'this grinder', 'my Grindhouse'],
      es: ['el molinillo Grindhouse', 'este molinillo', 'mi Grindhouse'],
      fr: ['le moulin Grindhouse', 'ce moulin à café', 'mon Grindhouse'],
      de: ['die Grindhouse Kaffeemühle', 'diese Mühle', 'meine Grindhouse'],
    },
    defectComponents: ['motor', 'button', 'lid'],
    qualityComponents: ['lid'],
    hasApp: false,
    sized: false,
    variants: ['black', 'silver'],
  },
  'PLS-EARBUD-2': {
    kind: 'electronics',
    weight: 1.4,
    mentions: {
      en: ['the Pulse earbuds', 'these earbuds', 'my Pulse buds'],
      es: ['los auriculares Pulse', 'estos auriculares', 'mis Pulse'],
      fr: ['les écouteurs Pulse', 'ces écouteurs', 'mes Pulse'],
      de: ['die Pulse Kopfhörer', 'diese Earbuds', 'meine Pulse'],
    },
    defectComponents: ['battery', 'charger', 'app', 'button'],
    qualityComponents: [],
    hasApp: true,
    sized: false,
    variants: ['graphite', 'pearl white', 'midnight blue'],
  },
  'VLT-PWR-20K': {
    kind: 'electronics',
    weight: 0.8,
    mentions: {
      en: ['the VoltPack power bank', 'this power bank', 'my VoltPack'],
      es: ['la batería externa VoltPack', 'esta batería externa', 'mi VoltPack'],
      fr: ['la batterie externe VoltPack', 'cette batterie externe', 'ma VoltPack'],
      de: ['die VoltPack Powerbank', 'diese Powerbank', 'meine VoltPack'],
    },
    defectComponents: ['battery', 'charger', 'button'],
    qualityComponents: [],
    hasApp: false,
    sized: false,
    variants: ['black', 'white'],
  },
  'NRD-DUVET-Q': {
    kind: 'home',
    weight: 0.8,
    mentions: {
      en: ['the Nordhaven duvet cover', 'this duvet cover', 'my Nordhaven cover'],
      es: ['la funda nórdica Nordhaven', 'esta funda nórdica', 'mi Nordhaven'],
      fr: ['la housse de couette Nordhaven', 'cette housse de couette', 'ma Nordhaven'],
      de: ['den Nordhaven Bettbezug', 'diesen Bettbezug', 'meinen Nordhaven'],
    },
    defectComponents: ['zipper'],
    qualityComponents: ['fabric', 'seam', 'color'],
    hasApp: false,
    sized: true,
    variants: ['140x200 oat', '155x220 sage', '200x200 charcoal'],
  },
  'LMO-LAMP-D': {
    kind: 'home',
    weight: 0.6,
    mentions: {
      en: ['the Lumo lamp', 'this desk lamp', 'my Lumo'],
      es: ['la lámpara Lumo', 'esta lámpara', 'mi Lumo'],
      fr: ['la lampe Lumo', 'cette lampe de bureau', 'ma Lumo'],
      de: ['die Lumo Schreibtischlampe', 'diese Lampe', 'meine Lumo'],
    },
    defectComponents: ['button', 'charger'],
    qualityComponents: ['handle'],
    hasApp: false,
    sized: false,
    variants: ['black', 'white', 'oak'],
  },
};

/** A complaint naming a component, per category and component id (taxonomy ids). */
export const componentClauses: Readonly<Record<'defect' | 'quality', Readonly<Record<string, Phrases>>>> = {
  defect: {
    sole: {
      en: [
        'the sole started peeling away from the upper after {days} days',
        'one sole came loose at the toe',
      ],
      es: ['la suela se despegó a los {days} días', 'una suela se soltó por la punta'],
      fr: ['la semelle se décolle au bout de {days} jours', "une semelle s'est détachée à l'avant"],
      de: ['die Sohle löst sich nach {days} Tagen', 'eine Sohle ist vorne aufgegangen'],
    },
    heel: {
      en: ['the heel cracked after {days} days', 'the heel is coming loose on one boot'],
      es: ['el tacón se rajó a los {days} días', 'el tacón se está despegando'],
      fr: ['le talon a cassé au bout de {days} jours', 'le talon se décolle'],
      de: ['der Absatz ist nach {days} Tagen gebrochen', 'der Absatz wackelt und löst sich'],
    },
    zipper: {
      en: [
        'the zipper broke after {days} days',
        'the zip keeps splitting open from the bottom',
        'the zipper pull snapped off',
      ],
      es: ['la cremallera se rompió a los {days} días', 'la cremallera se abre sola desde abajo'],
      fr: ['la fermeture éclair a cassé au bout de {days} jours', "la fermeture éclair s'ouvre toute seule"],
      de: [
        'der Reißverschluss ist nach {days} Tagen kaputt',
        'der Reißverschluss geht ständig von unten auf',
      ],
    },
    lid: {
      en: ["the lid won't stay closed anymore", 'the lid hinge snapped'],
      es: ['la tapa ya no cierra', 'se rompió la bisagra de la tapa'],
      fr: ['le couvercle ne ferme plus', 'la charnière du couvercle a cassé'],
      de: ['der Deckel schließt nicht mehr', 'das Scharnier vom Deckel ist abgebrochen'],
    },
    button: {
      en: ['the power button stopped responding', 'the button is stuck and does nothing'],
      es: ['el botón de encendido dejó de funcionar', 'el botón se queda atascado'],
      fr: ['le bouton ne répond plus', 'le bouton reste bloqué'],
      de: ['die Taste reagiert nicht mehr', 'der Knopf klemmt und tut nichts'],
    },
    heating_element: {
      en: [
        'it no longer heats up at all, looks like the heating element is gone',
        'the thermostat is faulty, it clicks off long before the water boils',
      ],
      es: [
        'ya no calienta, la resistencia ha dejado de funcionar',
        'el termostato falla y se apaga antes de hervir',
      ],
      fr: [
        'elle ne chauffe plus du tout, la résistance a lâché',
        "le thermostat est défaillant, elle s'arrête bien avant l'ébullition",
      ],
      de: [
        'das Heizelement ist kaputt, es wird gar nicht mehr warm',
        'der Thermostat spinnt und schaltet ab, bevor das Wasser kocht',
      ],
    },
    seal: {
      en: ['the seal is leaking onto the counter', 'water leaks from the base'],
      es: ['la junta gotea sobre la encimera', 'tiene una fuga por la base'],
      fr: ['le joint fuit sur le plan de travail', 'ça fuit par la base'],
      de: ['die Dichtung ist undicht', 'es leckt unten am Boden'],
    },
    motor: {
      en: ['the motor gave out after {days} days', 'the motor stalls as soon as there is anything in it'],
      es: ['el motor dejó de funcionar a los {days} días', 'el motor se para en cuanto hay algo dentro'],
      fr: ['le moteur a lâché au bout de {days} jours', 'le moteur cale dès qu’il y a quelque chose dedans'],
      de: [
        'der Motor ist nach {days} Tagen ausgestiegen',
        'der Motor bleibt sofort stehen, sobald etwas drin ist',
      ],
    },
    battery: {
      en: ['the battery only lasts about an hour now', "the battery won't hold a charge anymore"],
      es: ['la batería apenas dura una hora', 'la batería ya no mantiene la carga'],
      fr: ["la batterie ne tient plus qu'une heure", 'la batterie ne garde plus la charge'],
      de: ['der Akku hält nur noch eine Stunde', 'der Akku hält die Ladung nicht mehr'],
    },
    charger: {
      en: ['the charging port stopped working', 'the cable only charges if you hold it at an angle'],
      es: ['el cargador ya no funciona', 'el cable solo carga si lo sujetas torcido'],
      fr: ['le chargeur ne marche plus', 'le câble ne charge que si on le tient de travers'],
      de: ['das Ladekabel funktioniert nicht mehr', 'es lädt nur, wenn man das Kabel schräg hält'],
    },
    app: {
      en: [
        'the app keeps losing the bluetooth connection',
        'since the firmware update pairing fails every time',
      ],
      es: [
        'la app pierde la conexión bluetooth todo el rato',
        'desde la actualización no hay manera de emparejar por bluetooth',
      ],
      fr: [
        "l'application perd la connexion bluetooth sans arrêt",
        "depuis la mise à jour, l'appairage bluetooth échoue",
      ],
      de: [
        'die App verliert ständig die Bluetooth-Verbindung',
        'seit dem Firmware-Update klappt das Koppeln nicht mehr',
      ],
    },
  },
  quality: {
    sole: {
      en: ['the sole is wearing down really fast', 'the soles already look worn out'],
      es: ['la suela se desgasta muy rápido', 'las suelas ya parecen gastadas'],
      fr: ["la semelle s'use très vite", 'les semelles ont déjà l’air usées'],
      de: ['die Sohle ist schon nach kurzer Zeit abgelaufen', 'die Sohlen sehen schon abgenutzt aus'],
    },
    seam: {
      en: ['the stitching is coming undone', 'loose threads everywhere along the seams'],
      es: ['las costuras se están abriendo', 'hilos sueltos por todas las costuras'],
      fr: ['les coutures se défont', 'des fils qui dépassent de toutes les coutures'],
      de: ['die Nähte gehen auf', 'überall lose Fäden an den Nähten'],
    },
    fabric: {
      en: ['the fabric pills after one wash', 'the material feels cheap and thin'],
      es: ['la tela hace bolitas tras un lavado', 'el tejido parece barato y fino'],
      fr: ['le tissu bouloche après un lavage', 'la matière fait bon marché'],
      de: ['der Stoff pillt nach einer Wäsche', 'das Material fühlt sich billig und dünn an'],
    },
    color: {
      en: ['the colour faded after two washes', 'the color is already fading'],
      es: ['el color destiñe tras dos lavados', 'el color ya se está yendo'],
      fr: ['la couleur a passé après deux lavages', 'la couleur est déjà terne'],
      de: ['die Farbe ist nach zwei Wäschen verblasst', 'die Farbe geht schon raus'],
    },
    zipper: {
      en: ['the zipper feels cheap and snags constantly'],
      es: ['la cremallera es de mala calidad y se engancha'],
      fr: ['la fermeture éclair accroche sans arrêt'],
      de: ['der Reißverschluss hakt ständig'],
    },
    lid: {
      en: ['the lid feels flimsy and rattles'],
      es: ['la tapa es endeble y baila'],
      fr: ['le couvercle est fragile et fait du jeu'],
      de: ['der Deckel wirkt wackelig und klappert'],
    },
    handle: {
      en: ['the handle wobbles and the plastic creaks'],
      es: ['el asa baila y el plástico cruje'],
      fr: ['la poignée a du jeu et le plastique grince'],
      de: ['der Griff wackelt und das Plastik knarzt'],
    },
    seal: {
      en: ['the seal is already cracked'],
      es: ['la junta ya está agrietada'],
      fr: ['le joint est déjà craquelé'],
      de: ['die Dichtung ist schon rissig'],
    },
  },
};

/** Complaints without a component, per category; `device` and `wearable` split where it matters. */
export const genericClauses: Readonly<Record<string, Phrases>> = {
  defect_device: {
    en: [
      'it stopped working after {days} days',
      'arrived broken, it will not even switch on',
      'it works for a minute and then just switches off',
    ],
    es: [
      'dejó de funcionar a los {days} días',
      'llegó sin funcionar, ni siquiera se enciende',
      'funciona un minuto y se apaga sin más',
    ],
    fr: [
      'a cessé de fonctionner au bout de {days} jours',
      "arrivé en panne, ne s'allume même pas",
      "ça marche une minute puis ça s'arrête",
    ],
    de: [
      'funktioniert nach {days} Tagen nicht mehr',
      'kam defekt an, lässt sich nicht einmal einschalten',
      'läuft eine Minute und geht dann einfach aus',
    ],
  },
  defect_wearable: {
    en: ['it fell apart after {days} days of normal use', 'one of the eyelets ripped out on the first walk'],
    es: ['se rompió a los {days} días de uso normal', 'se soltó un ojal en el primer paseo'],
    fr: [
      "s'est abîmé au bout de {days} jours d'usage normal",
      "un œillet s'est arraché dès la première sortie",
    ],
    de: ['nach {days} Tagen normaler Nutzung kaputt', 'eine Öse ist beim ersten Spaziergang ausgerissen'],
  },
  quality: {
    en: [
      'it feels cheaply made for the price',
      'the finish is already scratched',
      'the build quality is poor',
    ],
    es: ['se nota que está mal hecho', 'el acabado ya está rayado', 'la calidad de fabricación es mala'],
    fr: [
      'on sent que c’est mal fini',
      'la finition est déjà rayée',
      'la qualité de fabrication est médiocre',
    ],
    de: ['wirkt billig verarbeitet', 'die Oberfläche ist schon zerkratzt', 'die Verarbeitung ist schlecht'],
  },
  sizing_fit: {
    en: [
      'it runs a full size small, had to size up',
      'way too big, I had to order a smaller size',
      'the size chart on the site is off',
    ],
    es: [
      'talla muy pequeño, hay que pedir una más',
      'me queda enorme, tuve que pedir una talla menos',
      'la tabla de tallas no es correcta',
    ],
    fr: [
      'ça taille petit, il faut prendre une taille au-dessus',
      'beaucoup trop grand, j’ai dû prendre une taille en dessous',
      'le guide des tailles est faux',
    ],
    de: [
      'fällt eine ganze Nummer kleiner aus',
      'viel zu groß, musste eine Nummer kleiner bestellen',
      'die Größentabelle stimmt nicht',
    ],
  },
  not_as_described: {
    en: [
      'it looks nothing like the pictures',
      'the colour is much darker than in the photos',
      'the specs on the product page are wrong',
    ],
    es: [
      'no se parece nada a las fotos',
      'el color es mucho más oscuro que en la foto',
      'las especificaciones de la web no coinciden',
    ],
    fr: [
      'ça ne ressemble pas du tout aux photos',
      'la couleur est bien plus foncée que sur la photo',
      'les caractéristiques annoncées sont fausses',
    ],
    de: [
      'sieht ganz anders aus als auf den Fotos',
      'die Farbe ist viel dunkler als auf dem Bild',
      'die Angaben auf der Produktseite stimmen nicht',
    ],
  },
  wrong_or_missing_item: {
    en: [
      'I ordered {product} in black and received grey',
      'the parcel was missing {product}, only the invoice was inside',
      'received a completely different item',
    ],
    es: [
      'pedí {product} en negro y me llegó en gris',
      'en el paquete solo venía la factura, faltaba el artículo',
      'me enviaron un artículo completamente distinto',
    ],
    fr: [
      "j'ai commandé {product} en noir et reçu du gris",
      'il manquait {product} dans le colis, juste la facture',
      "j'ai reçu un article complètement différent",
    ],
    de: [
      'ich habe {product} in Schwarz bestellt und Grau bekommen',
      'im Paket lag nur die Rechnung, der Artikel fehlte',
      'ich habe einen völlig anderen Artikel bekommen',
    ],
  },
  damaged_in_transit: {
    en: [
      'it arrived with the box crushed and a big dent',
      'the packaging was soaked and torn when it arrived',
      'the parcel looked like it had been kicked across the depot',
    ],
    es: [
      'llegó con la caja aplastada y una abolladura',
      'el paquete llegó roto y mojado',
      'el embalaje venía destrozado',
    ],
    fr: [
      'arrivé avec le carton écrasé et une grosse bosse',
      'le colis est arrivé déchiré et trempé',
      "l'emballage était complètement défoncé",
    ],
    de: [
      'kam mit zerdrücktem Karton und einer Delle an',
      'das Paket kam aufgerissen und durchnässt an',
      'die Verpackung war völlig zerfetzt',
    ],
  },
  delivery: {
    en: [
      'it took {days} days to arrive',
      '{carrier} says delivered but nothing came',
      'still waiting after {days} days and the tracking has not moved',
    ],
    es: [
      'tardó {days} días en llegar',
      '{carrier} dice entregado pero no tengo nada',
      'sigo esperando después de {days} días y el seguimiento no se mueve',
    ],
    fr: [
      'la livraison a pris {days} jours',
      '{carrier} indique livré mais je n’ai rien reçu',
      "toujours rien après {days} jours et le suivi n'avance pas",
    ],
    de: [
      'die Lieferung hat {days} Tage gedauert',
      'laut {carrier} zugestellt, aber hier ist nichts angekommen',
      'warte seit {days} Tagen und die Sendungsverfolgung bewegt sich nicht',
    ],
  },
  customer_service: {
    en: [
      'support took {days} days to reply and then sent a copy-paste answer',
      'the chat agent closed the conversation on me',
      'nobody answers the phone line',
    ],
    es: [
      'atención al cliente tardó {days} días en responder con un mensaje automático',
      'el agente del chat me cerró la conversación',
      'nadie contesta al teléfono',
    ],
    fr: [
      'le service client a mis {days} jours à répondre par un copier-coller',
      "l'agent du chat a fermé la conversation",
      'personne ne répond au téléphone',
    ],
    de: [
      'der Kundenservice hat {days} Tage gebraucht und dann einen Textbaustein geschickt',
      'der Chat-Mitarbeiter hat das Gespräch einfach beendet',
      'am Telefon geht niemand ran',
    ],
  },
  returns_refunds: {
    en: [
      'I returned it {days} days ago and still no refund',
      'the return label link does not work',
      'was told the refund takes 5 days, it has been {days}',
    ],
    es: [
      'lo devolví hace {days} días y sigo sin reembolso',
      'el enlace de la etiqueta de devolución no funciona',
      'me dijeron que el reembolso tarda 5 días y ya van {days}',
    ],
    fr: [
      'retour envoyé il y a {days} jours, toujours pas remboursé',
      "le lien pour l'étiquette de retour ne marche pas",
      'on m’a dit 5 jours pour le remboursement, ça fait {days}',
    ],
    de: [
      'vor {days} Tagen zurückgeschickt und immer noch keine Erstattung',
      'das Rücksendeetikett lässt sich nicht herunterladen',
      'Erstattung sollte 5 Tage dauern, jetzt sind es {days}',
    ],
  },
  price_value: {
    en: [
      'way overpriced for what it is',
      'the price dropped by 20 euros a week after I bought it',
      'not worth the money honestly',
    ],
    es: [
      'demasiado caro para lo que es',
      'bajó 20 euros una semana después de comprarlo',
      'no vale lo que cuesta',
    ],
    fr: [
      'beaucoup trop cher pour ce que c’est',
      'le prix a baissé de 20 euros une semaine après mon achat',
      'ça ne vaut pas son prix',
    ],
    de: [
      'viel zu teuer für das, was es ist',
      'eine Woche nach dem Kauf 20 Euro billiger',
      'das Geld nicht wert',
    ],
  },
  usability: {
    en: [
      'the instructions are useless, took me an hour to set up',
      'the buttons are confusing, I never know which mode it is in',
      'the setup in the app is a maze',
    ],
    es: [
      'las instrucciones no sirven de nada, tardé una hora en configurarlo',
      'los botones son confusos, nunca sé en qué modo está',
      'configurarlo con la app es un laberinto',
    ],
    fr: [
      "la notice est incompréhensible, une heure pour l'installer",
      'les boutons ne sont pas intuitifs, on ne sait jamais dans quel mode on est',
      "le paramétrage dans l'application est un vrai labyrinthe",
    ],
    de: [
      'die Anleitung ist unbrauchbar, eine Stunde für die Einrichtung',
      'die Tasten sind verwirrend, man weiß nie, in welchem Modus es ist',
      'die Einrichtung in der App ist ein Labyrinth',
    ],
  },
  other: {
    en: [
      'do you have {product} in other colours?',
      'would love a version in green',
      'can I buy a spare part separately?',
      'is there a gift wrapping option?',
    ],
    es: [
      '¿tenéis {product} en otros colores?',
      'me encantaría una versión en verde',
      '¿se puede comprar un repuesto por separado?',
      '¿hay opción de envolver para regalo?',
    ],
    fr: [
      'avez-vous {product} en d’autres coloris ?',
      'ce serait top une version en vert',
      'peut-on acheter une pièce de rechange séparément ?',
      'y a-t-il une option papier cadeau ?',
    ],
    de: [
      'gibt es {product} auch in anderen Farben?',
      'eine Version in Grün wäre super',
      'kann man Ersatzteile einzeln kaufen?',
      'gibt es eine Geschenkverpackung?',
    ],
  },
};

export const praiseClauses: Readonly<Record<'any' | 'wearable' | 'device', Phrases>> = {
  any: {
    en: [
      'absolutely love {product}',
      'best purchase I made this year',
      'does exactly what it says',
      'great quality for the price',
      'arrived quickly and well packed',
      'really happy with {product}',
      'would buy {product} again without thinking',
    ],
    es: [
      'estoy encantada con {product}',
      'la mejor compra del año',
      'hace justo lo que promete',
      'muy buena calidad por el precio',
      'llegó rapidísimo y bien embalado',
      'muy contenta con {product}',
      'volvería a comprar {product} sin dudar',
    ],
    fr: [
      "j'adore {product}",
      "meilleur achat de l'année",
      'fait exactement ce qui est annoncé',
      'excellent rapport qualité-prix',
      'livraison rapide et bien emballé',
      'très content de mon achat',
      'je rachèterais {product} sans hésiter',
    ],
    de: [
      'ich liebe {product}',
      'bester Kauf dieses Jahr',
      'hält, was versprochen wird',
      'super Preis-Leistung',
      'schnell geliefert und gut verpackt',
      'sehr zufrieden mit dem Kauf',
      'würde {product} sofort wieder kaufen',
    ],
  },
  wearable: {
    en: [
      'comfortable from day one, no break-in needed',
      'fits true to size',
      'kept me dry on a full day of rain',
      'looks even better in real life',
    ],
    es: [
      'cómodas desde el primer día',
      'la talla es perfecta',
      'me mantuvo seco un día entero de lluvia',
      'en persona es aún más bonito',
    ],
    fr: [
      'confortable dès le premier jour',
      'taille parfaitement',
      "m'a gardé au sec toute une journée de pluie",
      'encore plus beau en vrai',
    ],
    de: [
      'vom ersten Tag an bequem',
      'passt genau in der gewohnten Größe',
      'hat mich einen ganzen Regentag trocken gehalten',
      'in echt noch schöner',
    ],
  },
  device: {
    en: [
      'quiet, quick and easy to clean',
      'works perfectly every day',
      'set it up in two minutes',
      'feels solid and well made',
    ],
    es: [
      'silencioso, rápido y fácil de limpiar',
      'funciona perfecto todos los días',
      'lo configuré en dos minutos',
      'se nota robusto y bien hecho',
    ],
    fr: [
      'silencieux, rapide et facile à nettoyer',
      'fonctionne parfaitement tous les jours',
      'installé en deux minutes',
      'solide et bien fini',
    ],
    de: [
      'leise, schnell und leicht zu reinigen',
      'funktioniert jeden Tag einwandfrei',
      'in zwei Minuten eingerichtet',
      'wirkt solide und gut verarbeitet',
    ],
  },
};

/** Context that makes a text sound like a person; neutral on its own. */
export const contextSentences: Phrases = {
  en: [
    'Bought {product} {days} days ago.',
    'It was a gift for my partner.',
    'Second one I have bought.',
    'Used it every day since it arrived.',
    'Ordered during the sale.',
  ],
  es: [
    'Compré {product} hace {days} días.',
    'Era un regalo para mi pareja.',
    'Es el segundo que compro.',
    'Lo uso a diario desde que llegó.',
    'Lo pedí en las rebajas.',
  ],
  fr: [
    "J'ai acheté {product} il y a {days} jours.",
    'C’était un cadeau pour mon conjoint.',
    "C'est le deuxième que j'achète.",
    'Utilisé tous les jours depuis la réception.',
    'Commandé pendant les soldes.',
  ],
  de: [
    'Habe {product} vor {days} Tagen gekauft.',
    'War ein Geschenk für meinen Partner.',
    'Ist schon mein zweites.',
    'Seit der Lieferung täglich benutzt.',
    'Im Sale bestellt.',
  ],
};

export type Tone = 'negative' | 'positive' | 'neutral';

export const openings: Readonly<Record<Tone, Phrases>> = {
  negative: {
    en: [
      'Hi,',
      'Hello team,',
      'Really disappointed.',
      'Not happy at all.',
      'Ugh.',
      'Honestly,',
      'ngl',
      'Hi there,',
    ],
    es: ['Hola,', 'Buenas,', 'Muy decepcionada.', 'Vaya tela.', 'La verdad,', 'Buenos días,'],
    fr: ['Bonjour,', 'Franchement,', 'Très déçu.', 'Bonsoir,', 'Bof.', 'Alors là,'],
    de: ['Hallo,', 'Guten Tag,', 'Echt enttäuschend.', 'Hallo zusammen,', 'Sorry, aber', 'Ehrlich gesagt,'],
  },
  positive: {
    en: ['Wow!', 'Hi!', 'Just wanted to say', 'Honestly', 'tbh', 'Five stars.'],
    es: ['¡Hola!', 'Qué pasada.', 'Solo quería decir que', 'La verdad,', 'Cinco estrellas.'],
    fr: ['Bonjour !', 'Top.', 'Je voulais juste dire que', 'Franchement,', 'Cinq étoiles.'],
    de: ['Hallo!', 'Mega.', 'Wollte nur sagen:', 'Ehrlich,', 'Fünf Sterne.'],
  },
  neutral: {
    en: ['Hi,', 'Quick question:', 'Hello,'],
    es: ['Hola,', 'Una pregunta:', 'Buenas,'],
    fr: ['Bonjour,', 'Petite question :', 'Salut,'],
    de: ['Hallo,', 'Kurze Frage:', 'Moin,'],
  },
};

export const closings: Readonly<Record<Tone, Phrases>> = {
  negative: {
    en: [
      'Please sort this out.',
      'I want a replacement.',
      'Can someone help?',
      'Not buying again.',
      'Thanks in advance.',
      'Very disappointed.',
      'What are my options?',
    ],
    es: [
      'Quiero una solución.',
      '¿Me podéis ayudar?',
      'No vuelvo a comprar.',
      'Gracias de antemano.',
      'Qué decepción.',
      '¿Qué opciones tengo?',
    ],
    fr: [
      'Merci de faire le nécessaire.',
      'Je veux un remplacement.',
      'Je ne recommande pas.',
      "Merci d'avance.",
      'Quelles sont mes options ?',
    ],
    de: [
      'Bitte um Rückmeldung.',
      'Ich möchte Ersatz.',
      'Nie wieder.',
      'Danke im Voraus.',
      'Was sind meine Optionen?',
    ],
  },
  positive: {
    en: ['Highly recommend.', 'Thanks!', 'Will order again.', 'Love it.', '10/10'],
    es: ['Lo recomiendo.', '¡Gracias!', 'Repetiré.', 'Una pasada.', '10/10'],
    fr: ['Je recommande.', 'Merci !', 'Je recommanderai.', 'Grave content.', '10/10'],
    de: ['Klare Empfehlung.', 'Danke!', 'Bestelle wieder.', 'Echt krass gut.', '10/10'],
  },
  neutral: {
    en: ['Thanks.', 'Cheers.', 'Thank you!'],
    es: ['Gracias.', 'Saludos.', '¡Gracias!'],
    fr: ['Merci.', 'Bonne journée.', 'Merci !'],
    de: ['Danke.', 'Grüße.', 'Vielen Dank!'],
  },
};

/** Sarcastic frames for a complaint clause. */
export const sarcasmFrames: Phrases = {
  en: [
    'Oh great, {clause}. Just what I needed.',
    'Wow, amazing quality: {clause}. 🙄',
    'Love how {clause}. Really top notch.',
  ],
  es: ['Genial, {clause}. Justo lo que necesitaba.', 'Qué calidad tan increíble: {clause}. 🙄'],
  fr: ["Génial, {clause}. C'est exactement ce qu'il me fallait.", 'Quelle qualité incroyable : {clause}. 🙄'],
  de: ['Na toll, {clause}. Genau das, was ich wollte.', 'Super Qualität: {clause}. 🙄'],
};

export const emoji: Readonly<Record<Tone, readonly string[]>> = {
  negative: ['😡', '😤', '🙄', '👎', '😞'],
  positive: ['😍', '👍', '👌', '💯', '🙌', '⭐⭐⭐⭐⭐'],
  neutral: ['🤔', '🙂'],
};

export const piiSentences: Phrases = {
  en: [
    'You can reach me at {email} or {phone}.',
    'Order {order}.',
    'My order number is {order}, email {email}.',
    'Call me on {phone} please.',
  ],
  es: [
    'Mi correo es {email}, teléfono {phone}.',
    'Pedido {order}.',
    'Número de pedido {order}, correo {email}.',
  ],
  fr: [
    'Mon e-mail : {email}, tél. {phone}.',
    'Commande {order}.',
    'Numéro de commande {order}, e-mail {email}.',
  ],
  de: [
    'Meine E-Mail: {email}, Tel. {phone}.',
    'Bestellnummer {order}.',
    'Bestellung {order}, E-Mail {email}.',
  ],
};

export const carriers: Phrases = {
  en: ['DHL', 'UPS', 'DPD', 'Royal Mail', 'Evri'],
  es: ['SEUR', 'Correos', 'MRW', 'DHL'],
  fr: ['Colissimo', 'Chronopost', 'Mondial Relay', 'DPD'],
  de: ['DHL', 'Hermes', 'GLS', 'DPD'],
};

export const firstNames: readonly string[] = [
  'anna',
  'lucas',
  'maria',
  'jonas',
  'chloe',
  'diego',
  'emma',
  'felix',
  'lea',
  'noah',
  'sofia',
  'tom',
];
export const lastNames: readonly string[] = [
  'martin',
  'garcia',
  'schmidt',
  'dubois',
  'smith',
  'lopez',
  'muller',
  'bernard',
  'jones',
  'fischer',
];

/** Short titles for reviews and tickets, per category. */
export const titles: Readonly<Record<string, Phrases>> = {
  defect: {
    en: ['Broke quickly', 'Stopped working', 'Defective'],
    es: ['Se rompió', 'Defectuoso'],
    fr: ['Défectueux', 'En panne'],
    de: ['Defekt', 'Schnell kaputt'],
  },
  quality: {
    en: ['Poor quality', 'Cheaply made'],
    es: ['Mala calidad'],
    fr: ['Qualité décevante'],
    de: ['Schlechte Qualität'],
  },
  sizing_fit: {
    en: ['Sizing is off', 'Runs small'],
    es: ['Talla incorrecta'],
    fr: ['Taille mal'],
    de: ['Größe passt nicht'],
  },
  not_as_described: {
    en: ['Not as pictured'],
    es: ['No es como en la foto'],
    fr: ['Pas conforme'],
    de: ['Nicht wie beschrieben'],
  },
  wrong_or_missing_item: {
    en: ['Wrong item received', 'Item missing'],
    es: ['Artículo equivocado'],
    fr: ['Mauvais article'],
    de: ['Falscher Artikel'],
  },
  damaged_in_transit: {
    en: ['Arrived damaged'],
    es: ['Llegó dañado'],
    fr: ['Arrivé abîmé'],
    de: ['Beschädigt angekommen'],
  },
  delivery: {
    en: ['Where is my order?', 'Late delivery'],
    es: ['¿Dónde está mi pedido?'],
    fr: ['Où est ma commande ?'],
    de: ['Wo bleibt meine Bestellung?'],
  },
  customer_service: {
    en: ['Terrible support'],
    es: ['Pésima atención'],
    fr: ['Service client absent'],
    de: ['Schlechter Service'],
  },
  returns_refunds: {
    en: ['Refund still missing'],
    es: ['Sin reembolso'],
    fr: ['Remboursement en attente'],
    de: ['Keine Erstattung'],
  },
  price_value: { en: ['Overpriced'], es: ['Demasiado caro'], fr: ['Trop cher'], de: ['Zu teuer'] },
  usability: { en: ['Hard to use'], es: ['Difícil de usar'], fr: ['Pas pratique'], de: ['Umständlich'] },
  praise: {
    en: ['Love it', 'Excellent', 'Great buy'],
    es: ['Me encanta', 'Genial'],
    fr: ['Top', 'Parfait'],
    de: ['Super', 'Top Produkt'],
  },
  other: { en: ['Question', 'Suggestion'], es: ['Pregunta'], fr: ['Question'], de: ['Frage'] },
};

/** The injected incident: the Trailhead boot's sole separating. Richer than the background so
 *  that forty-odd complaints stay distinct to a near-duplicate filter. */
export const spikeClauses: Phrases = {
  en: [
    'the sole came off the left boot completely',
    'the glue failed and the sole came off at the toe',
    'the right sole came off halfway through a hike',
    'both soles came off at the front, clearly defective',
    'the outsole broke off along the whole side',
    'the sole is separating from the upper, defective glue',
    'one sole snapped away from the upper',
    'the left sole came off after a few days, defective',
    'the sole came off at the heel end and now flaps with every step',
  ],
  es: [
    'se despegó la suela de la bota izquierda',
    'la suela se soltó por completo',
    'el pegamento falló y la suela se despegó por delante',
    'las dos suelas se soltaron por la punta, están defectuosas',
    'la suela se rompió en plena ruta',
    'la suela de la bota derecha se despegó entera',
    'se soltó la suela por el talón, defectuosas',
    'la suela se despegó en la primera salida al monte',
  ],
  fr: [
    'la semelle gauche s’est complètement détachée, chaussures défectueuses',
    'la colle a lâché et la semelle baille à l’avant',
    'les deux semelles se séparent à la pointe, un vrai défaut de collage',
    'la semelle a lâché en pleine randonnée',
    'semelle détachée au bout de quelques jours, produit défectueux',
    'la semelle droite a lâché dès la deuxième sortie',
    'semelle complètement détachée côté talon, défaut évident',
    'la semelle s’est détachée net pendant la marche, défectueuse',
  ],
  de: [
    'die Sohle hat sich komplett abgelöst, die Schuhe sind defekt',
    'die linke Sohle ist abgefallen, Schuh kaputt',
    'der Kleber hat versagt und die Sohle ist vorne ab, defekt',
    'beide Sohlen sind an der Spitze abgegangen, eindeutig defekt',
    'die Sohle ist mitten auf der Tour abgebrochen',
    'die rechte Sohle ist komplett abgegangen, defekt',
    'an der Ferse hat sich die Sohle abgelöst, klarer Defekt',
    'die Sohle ist nach der zweiten Wanderung abgefallen, kaputt',
  ],
};

export const spikeDetails: Phrases = {
  en: [
    'I have only worn them {days} times.',
    'Bought them for a trip to the Dolomites.',
    'This happened on an easy forest trail.',
    'They are barely {days} days old.',
    'My size 43 pair.',
    'My friend bought the same boots and hers did the same.',
    'Glue residue everywhere where it came apart.',
    'Defective batch?',
    'Never had this with any boot before.',
    'I walked maybe {days} km in them.',
    'Walked on them twice, on dry paths.',
    'Photos attached to my ticket.',
    'Had to finish the walk with tape around the boot.',
  ],
  es: [
    'Solo las he usado {days} veces.',
    'Las compré para ir a los Picos de Europa.',
    'Pasó en un camino fácil por el bosque.',
    'Tienen apenas {days} días.',
    'Mi amiga compró las mismas y le pasó igual.',
    'Se ven restos de pegamento por todas partes.',
    '¿Lote defectuoso?',
    'Nunca me había pasado con otras botas.',
    'Tengo fotos si las necesitáis.',
    'Tuve que volver con cinta americana en la bota.',
    'Las usé dos veces, por caminos secos.',
  ],
  fr: [
    'Je ne les ai portées que {days} fois.',
    'Achetées pour un séjour dans les Pyrénées.',
    'Ça s’est produit sur un sentier facile en forêt.',
    'Elles ont à peine {days} jours.',
    'Mon frère a les mêmes, pareil chez lui.',
    'Des traces de colle partout.',
    'Lot défectueux ?',
    'Jamais vu ça avec d’autres chaussures.',
    'J’ai des photos si besoin.',
    'J’ai fini la balade avec du scotch autour de la chaussure.',
    'Portées deux fois, sur des chemins secs.',
  ],
  de: [
    'Ich habe sie erst {days} Mal getragen.',
    'Gekauft für eine Tour im Allgäu.',
    'Passiert auf einem einfachen Waldweg.',
    'Sie sind gerade mal {days} Tage alt.',
    'Meine Schwester hat dieselben, bei ihr genauso.',
    'Überall Kleberreste.',
    'Defekte Charge?',
    'Hatte ich noch nie bei anderen Schuhen.',
    'Fotos kann ich schicken.',
    'Musste den Rückweg mit Klebeband um den Schuh laufen.',
    'Zweimal getragen, nur auf trockenen Wegen.',
  ],
};

export const spikeTitles: Phrases = {
  en: ['Sole came off', 'Sole came off after a week', 'Defective soles'],
  es: ['Suela despegada', 'Se despegó la suela', 'Botas defectuosas'],
  fr: ['Semelle décollée', 'Semelle détachée', 'Chaussures défectueuses'],
  de: ['Sohle abgefallen', 'Sohle kaputt', 'Defekte Sohle'],
};

/** Spam the normalize stage should flag. Links use reserved example domains. */
export const spamTexts: Phrases = {
  en: [
    'Earn money from home, 500 dollars a day!!! Click here https://quick-cash.example/start',
    'Cheap followers and likes, best price: https://promo-likes.example',
    'FREE gift card!!! claim yours at https://win-big.example/claim 🎁🎁🎁',
  ],
  es: [
    'Gana dinero desde casa, oferta limitada: https://dinero-facil.example',
    '¡¡Regalo gratis!! entra en https://sorteo-ganador.example',
  ],
  fr: [
    'Gagnez 500 euros par jour, code promo sur https://argent-facile.example',
    'Cadeau GRATUIT !!! https://cadeau-gratuit.example',
  ],
  de: [
    'Verdiene 500 Euro am Tag, kostenlos anmelden: https://schnell-geld.example',
    'Gratis Gutschein!!! Jetzt sichern auf https://gutschein-gewinn.example',
  ],
};
