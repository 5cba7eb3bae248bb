//! The built-in cues, French and English, on folded text (`text::fold`): a leading space
//! anchors a cue at a word's start, a trailing space at its end. Weights: 3 settles a label
//! alone, 2 is strong, 1 needs company. A cue found only inside a longer cue counts as the
//! longer one alone ([`found`]): "aucun problème" is praise, and its "problème" no incident.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::Label;

pub type Cues = &'static [(&'static str, f32)];
/// A cue of a label's list, with the label and its weight.
pub type Cue = (Label, &'static str, f32);

#[rustfmt::skip]
pub const INCIDENT: Cues = &[
    // Damaged, defective, not working.
    (" broken", 3.0), (" broke ", 2.0), (" damaged", 3.0), (" defective", 3.0), (" faulty", 3.0),
    (" cracked", 3.0), (" shattered", 3.0), (" scratched", 2.0), (" ripped", 2.0), (" torn", 2.0),
    (" leak", 2.0), (" stopped working", 3.0), (" doesn t work", 3.0), (" does not work", 3.0),
    (" didn t work", 3.0), (" not working", 3.0), (" won t turn on", 3.0), (" doesnt work", 3.0),
    (" dead on arrival", 3.0), (" fell apart", 3.0), (" falling apart", 3.0),
    (" poor quality", 2.0), (" cheaply made", 2.0), (" flicker", 2.0), (" overheat", 3.0),
    (" sparks", 3.0), (" burn", 2.0), (" rash", 2.0), (" allergic", 2.0), (" dangerous", 2.0),
    (" stain", 1.5), (" smell", 1.0), (" casse", 3.0), (" abime", 3.0), (" defectueu", 3.0),
    (" defaut", 2.0), (" raye", 2.0), (" fissure", 3.0), (" fele", 3.0), (" ebrech", 3.0),
    (" chipped", 3.0), (" dented", 2.0), (" cabosse", 2.5), (" tordu", 2.0), (" bent ", 2.0),
    (" dechire", 2.0), (" fuit ", 2.0), (" fuite", 2.0), (" ne marche pas", 3.0),
    (" ne marche plus", 3.0), (" marche plus", 3.0), (" ne fonctionne pas", 3.0),
    (" ne fonctionne plus", 3.0), (" fonctionne plus", 3.0), (" ne s allume", 3.0),
    (" clignote", 2.0), (" grille", 2.0), (" brule", 2.0), (" surchauff", 3.0), (" allerg", 2.0),
    (" irrit", 2.0), (" bouton", 0.5), (" dangereu", 2.0), (" inutilisable", 3.0),
    (" mauvaise qualite", 2.0), (" qualite mediocre", 2.0), (" tache", 1.0), (" bouloche", 2.0),
    (" decousu", 2.0), (" pas conforme", 3.0), (" non conforme", 3.0), (" rien a voir avec", 2.0),
    // Delivery.
    (" never arrived", 3.0), (" never received", 3.0), (" not received", 3.0),
    (" haven t received", 3.0), (" havent received", 3.0), (" hasn t arrived", 3.0),
    (" still haven t", 3.0), (" still not", 2.0), (" still no ", 2.0), (" still waiting", 3.0),
    (" where is my", 3.0), (" where s my", 3.0), (" wheres my", 3.0), (" missing", 2.0),
    (" lost ", 2.0), (" late", 1.5), (" delayed", 2.0), (" delay", 1.5), (" weeks", 1.0),
    (" days", 0.5), (" tracking", 1.5), (" pending", 1.5), (" stuck", 2.0), (" wrong item", 3.0),
    (" wrong size", 2.0), (" wrong colo", 2.0), (" wrong order", 3.0), (" sent me the wrong", 3.0),
    (" jamais recu", 3.0), (" pas recu", 3.0), (" jamais arrive", 3.0), (" pas arrive", 3.0),
    (" pas encore recu", 3.0), (" toujours pas", 2.5), (" toujours rien", 3.0),
    (" toujours en attente", 3.0), (" ou est ma commande", 3.0), (" ou en est ma commande", 3.0),
    (" manquant", 2.0), (" il manque", 2.0), (" perdu", 2.0), (" retard", 2.0), (" semaines", 1.0),
    (" jours", 0.5), (" suivi ", 1.0), (" en attente", 1.5), (" bloque", 2.0),
    (" mauvais article", 3.0), (" mauvaise taille", 2.0), (" mauvaise couleur", 2.0),
    (" erreur", 1.5), (" colis", 1.0), (" livreur", 1.0), (" transporteur", 1.0),
    // Money and account.
    (" refund", 2.5), (" money back", 3.0), (" charged twice", 3.0), (" double charged", 3.0),
    (" overcharged", 3.0), (" chargeback", 3.0), (" dispute", 2.0), (" cancelled my", 3.0),
    (" canceled my", 3.0), (" order was cancel", 3.0), (" can t log", 3.0), (" cannot log", 3.0),
    (" can t sign", 3.0), (" locked out", 3.0), (" password", 1.5), (" account", 0.5),
    (" rembours", 2.5), (" debite deux fois", 3.0), (" preleve deux fois", 3.0),
    (" double prelevement", 3.0), (" deux fois", 1.0), (" arnaque", 3.0), (" escroc", 3.0),
    (" annule ma commande", 3.0), (" commande annulee", 3.0), (" impossible de me connecter", 3.0),
    (" impossible de se connecter", 3.0), (" connecter", 1.0), (" mot de passe", 1.5),
    (" compte bloque", 3.0), (" litige", 3.0), (" facture", 1.0), (" scam", 3.0),
    // Dissatisfaction and service.
    (" disappoint", 2.5), (" terrible", 2.5), (" awful", 2.5), (" worst", 3.0), (" useless", 2.5),
    (" waste of", 3.0), (" complain", 2.5), (" rude", 2.5), (" unacceptable", 3.0),
    (" ridiculous", 2.0), (" joke ", 1.0), (" no reply", 3.0), (" no response", 3.0),
    (" no answer", 3.0), (" ignored", 2.0), (" nobody", 1.5), (" customer service", 1.5),
    (" return ", 1.0), (" returned", 1.0), (" horrible", 2.5), (" never again", 3.0),
    (" never buying", 3.0), (" not happy", 3.0), (" unhappy", 3.0), (" angry", 2.5),
    (" furious", 3.0), (" fed up", 3.0), (" issue", 1.0), (" problem", 1.0), (" decu", 2.5),
    (" decevant", 2.5), (" decevante", 2.5), (" nul ", 2.5), (" nulle ", 2.5),
    (" inadmissible", 3.0), (" inacceptable", 3.0), (" scandal", 3.0), (" honteu", 3.0),
    (" reclamation", 3.0), (" plainte", 3.0), (" sav ", 1.5), (" service client", 1.5),
    (" aucune reponse", 3.0), (" pas de reponse", 3.0), (" sans reponse", 3.0),
    (" personne ne repond", 3.0), (" mecontent", 3.0), (" insatisfait", 3.0), (" catastroph", 2.5),
    (" galere", 2.0), (" plus jamais", 3.0), (" lamentable", 3.0), (" pas content", 3.0),
    (" en colere", 3.0), (" marre", 2.5), (" probleme", 1.0), (" souci", 1.0), (" renvoyer", 1.0),
    (" retour ", 0.5), (" mal emballe", 2.0), (" badly packed", 2.0),
    // Damage found on arrival, hygiene, safety.
    (" came off", 2.5), (" fell off", 2.5), (" half empty", 3.0), (" arrived open", 2.5),
    (" soaked", 2.5), (" wet ", 1.5), (" mould", 3.0), (" mold", 3.0), (" moth", 2.0),
    (" hair in", 2.0), (" too hot", 2.5), (" hot to touch", 2.5), (" dead pixel", 3.0),
    (" dead ", 1.5), (" out of the box", 1.0), (" turned my", 1.5), (" swollen", 3.0),
    (" short circuit", 3.0), (" a moitie vide", 3.0), (" moitie vide", 3.0), (" perce", 2.5),
    (" humidite", 2.0), (" moisi", 3.0), (" gonfle", 3.0), (" fait peur", 2.0),
    (" court circuit", 3.0), (" disjoncteur", 2.5), (" plaques rouges", 3.0), (" boutons", 1.0),
    (" sentent rien", 2.0), (" sent rien", 2.0), (" mort ", 2.0), (" ne charge plus", 3.0),
    (" detecte plus", 3.0), (" en rade", 3.0), (" plante", 1.5), (" bug", 1.5),
    // Delivery gone wrong.
    (" wrong street", 3.0), (" wrong address", 3.0), (" shows as delivered", 3.0),
    (" says delivered", 3.0), (" marked as delivered", 3.0), (" not here", 2.0),
    (" supposed to arrive", 3.0), (" supposed to be", 1.5), (" next day delivery", 2.0),
    (" ordered the", 1.0), (" got the", 1.0), (" instead of", 2.0), (" voisin", 1.5),
    (" jamais rendu", 2.5), (" pas sonne", 2.5), (" en preparation", 2.0),
    (" alors que j avais commande", 3.0), (" au lieu de", 2.0), (" l echange", 1.5),
    // Money and account.
    (" payment failed", 3.0), (" from my account", 2.5), (" taken ", 1.0), (" billed", 2.5),
    (" reverse the charge", 3.0), (" charged", 2.0), (" my money", 2.0), (" not back", 2.0),
    (" twice", 1.5), (" locked", 2.5), (" cancelled", 2.0), (" canceled", 2.0), (" debite", 2.5),
    (" prelevement", 2.5), (" regulariser", 2.5), (" annulee", 2.5), (" aucune explication", 2.5),
    (" aucun mail", 2.0),
    // Waiting on the brand.
    (" on hold", 2.0), (" said you d", 2.0), (" get back to me", 2.0), (" dm me back", 2.0),
    (" who do i contact", 2.5), (" who should i contact", 2.5), (" what can you do", 2.0),
    (" zero reponse", 3.0), (" sans nouvelles", 3.0), (" relance", 2.0), (" delai", 1.0),
    (" is it normal", 2.0), (" is this normal", 2.0), (" est ce normal", 2.0),
    (" c est normal", 2.0), (" normal que", 2.0), (" anyone else", 1.0), (" refusez", 2.5),
    (" refuse", 1.5), (" dommage", 1.5), (" happened", 1.0),
    // A resolution that did not happen (covers the praise cue inside it).
    (" not fixed", 3.0), (" never fixed", 3.0), (" not sorted", 3.0), (" not resolved", 3.0),
    (" unresolved", 3.0), (" pas regle", 3.0), (" pas resolu", 3.0),
    // Damage and defects, more of the words people use.
    (" tremp", 2.5), (" en morceaux", 3.0), (" in pieces", 3.0), (" snapped", 3.0),
    (" shrunk", 2.5), (" shrank", 2.5), (" retreci", 2.5), (" deteint", 2.5), (" faded", 2.0),
    (" peeling", 2.5), (" ecaille", 2.5), (" rouille", 2.5), (" rusty", 2.5), (" wobbl", 2.0),
    (" bancal", 2.5), (" sheds", 2.0), (" shedding", 2.0), (" perd ses poils", 2.5), (" buzzing", 2.0),
    (" gresille", 2.0), (" crackl", 2.0), (" hiss", 1.5), (" cuts out", 2.5), (" se coupe", 2.0),
    (" disconnect", 2.5), (" deconnect", 2.5), (" won t charge", 3.0), (" doesn t charge", 3.0),
    (" not charging", 3.0), (" stopped charging", 3.0), (" ne charge pas", 3.0), (" drains", 2.0),
    (" itch", 2.0), (" rougeur", 2.5), (" vomi", 3.0), (" insect", 2.5), (" rance", 2.5),
    (" rancid", 2.5), (" stale", 2.5), (" perime", 3.0), (" fane", 2.5), (" wilted", 2.5),
    (" scary", 1.5), (" inquiete", 2.0), (" worried", 1.5), (" unsafe", 2.5), (" not safe", 2.5),
    (" chemical", 2.0), (" chimique", 2.0), (" headache", 2.0), (" mal de tete", 2.0),
    (" smells like", 1.5), (" sent le", 1.5), (" gutted", 2.5), (" degout", 2.5), (" ruined", 2.5),
    (" a lache", 2.5), (" lache ", 1.5), (" fendu", 2.5), (" decolle", 2.0), (" ne tient pas", 2.5),
    (" tient plus", 2.0), (" ne ferme pas", 2.5), (" ferme plus", 2.0), (" doesn t close", 2.5),
    (" won t close", 2.5), (" came undone", 2.5), (" unravel", 2.5), (" frayed", 2.0),
    (" yellowed", 2.5), (" jauni", 2.5), (" tarnish", 2.5), (" known issue", 2.5),
    (" defaut connu", 2.5), (" is that expected", 2.0), (" is that normal", 2.0),
    (" ne demarre", 3.0), (" won t start", 3.0), (" error", 1.5), (" erreur e", 2.0),
    (" bourrage", 2.0), (" coince", 1.5), (" jammed", 2.0), (" s affaisse", 2.5), (" sagging", 2.5),
    // Wrong, short or missing.
    (" wrong", 2.0), (" mauvaise reference", 3.0), (" pas la bonne", 2.5), (" not the right", 2.5),
    (" not what i ordered", 3.0), (" pas ce que j ai commande", 3.0), (" au lieu du", 2.0),
    (" only got", 2.0), (" only received", 2.5), (" seulement recu", 2.5), (" un seul est", 2.0),
    (" sans les", 1.5), (" without the", 1.0), (" arrived empty", 3.0), (" arrivee vide", 3.0),
    // Delivery gone wrong, more of it.
    (" different street", 2.5), (" different address", 2.5), (" mauvaise adresse", 3.0),
    (" a ma place", 2.5), (" signed for", 2.0), (" left outside", 2.0), (" crushed", 2.5),
    (" ecrase", 2.5), (" squashed", 2.0), (" out for delivery", 1.5), (" processing", 1.0),
    (" nobody came", 3.0), (" no one came", 3.0), (" never came", 3.0), (" never showed", 3.0),
    (" personne n est venu", 3.0), (" jamais venu", 3.0), (" pour rien", 1.0),
    // Service that does not answer.
    (" ghost", 2.5), (" auto reply", 2.0), (" high volumes", 2.0), (" hung up", 3.0),
    (" raccroche", 3.0), (" ne decroche", 3.0), (" rings out", 2.5), (" bounce", 1.5),
    (" promised", 2.0), (" promis", 2.0), (" was told", 2.0), (" on m a dit", 1.5),
    (" j attends", 2.0), (" jattends", 2.0), (" attends toujours", 3.0), (" waiting for a reply", 3.0),
    (" waiting on", 1.5), (" transmis", 1.0), (" ticket", 1.0), (" read no reply", 3.0),
    // Money and account, more of it.
    (" charged me", 2.5), (" charging me", 2.0), (" restocking fee", 2.5), (" facturee", 2.0),
    (" jamais souscrit", 3.0), (" never signed up", 3.0), (" never made", 2.0), (" hacked", 2.5),
    (" pirate", 2.0), (" unsubscribed", 2.0), (" desabonne", 2.0), (" still get", 1.5),
    (" disappeared", 2.5), (" disparu", 2.5), (" vanished", 2.5), (" not my fault", 2.0),
    // Irony and annoyance.
    (" love that for me", 3.0), (" thanks for nothing", 3.0), (" merci pour rien", 3.0),
    (" du grand art", 2.5), (" mon oeil", 3.0), (" my foot", 3.0), (" yeah right", 3.0),
    (" furieu", 3.0), (" enerve", 2.5), (" agace", 2.0), (" pas ouf", 2.0), (" pas cool", 2.0),
    (" bof", 1.5), (" meh ", 1.5), (" seriously", 1.0), (" serieux", 1.0),
];

#[rustfmt::skip]
pub const PURCHASE_INTENT: Cues = &[
    (" how much", 2.5), (" price", 1.5), (" cost", 1.0), (" buy", 2.0), (" purchase", 1.5),
    (" order one", 3.0), (" ordering", 1.5), (" in stock", 2.5), (" available in", 2.5),
    (" availab", 1.5), (" do you ship", 3.0), (" ship to", 2.5), (" shipping to", 2.5),
    (" deliver to", 2.5), (" where can i get", 3.0), (" where can i buy", 3.0), (" want one", 3.0),
    (" need one", 2.5), (" i ll take", 3.0), (" gift for", 2.0), (" quote", 2.5), (" bulk", 2.5),
    (" wholesale", 3.0), (" discount", 1.5), (" promo", 1.0), (" restock", 3.0),
    (" back in stock", 3.0), (" pre order", 3.0), (" preorder", 3.0), (" size guide", 2.0),
    (" can i order", 3.0), (" take my money", 3.0), (" need this", 2.5), (" want this", 2.5),
    (" come in", 1.5), (" other colo", 2.0), (" in black", 1.5), (" in white", 1.5),
    (" combien", 2.5), (" prix", 2.0), (" tarif", 2.0), (" acheter", 2.5), (" achete", 1.0),
    (" commander", 2.0), (" dispo", 2.0), (" disponible", 2.0), (" en stock", 2.5),
    (" rupture", 2.0), (" livrez", 2.5), (" livraison en", 1.5), (" livraison au", 1.5),
    (" livraison vers", 2.0), (" envoyez", 2.0), (" ou peut on", 2.5), (" ou puis je", 2.5),
    (" ou trouver", 2.5), (" j en veux", 3.0), (" je veux", 1.5), (" je prends", 2.5),
    (" craquer", 3.0), (" craque", 2.0), (" cadeau", 1.5), (" offrir", 2.0), (" devis", 3.0),
    (" en gros", 2.0), (" professionnel", 1.5), (" code promo", 2.0), (" soldes", 2.0),
    (" reassort", 3.0), (" precommande", 3.0), (" quelle taille", 2.5), (" ca taille", 2.0),
    (" taille ", 1.0), (" en noir", 1.5), (" en blanc", 1.5), (" autres couleurs", 2.0),
    (" existe en", 2.5), (" existe t", 2.0), (" vous avez", 1.0), (" reserver", 2.0),
    (" panier", 1.5), (" frais de port", 2.0), (" shipping cost", 2.5), (" le mien", 1.0),
    (" vendu", 1.5), (" je cherche", 2.0), (" looking for", 1.5), (" expediez", 2.5),
    (" expedie", 1.5), (" ca me tente", 3.0), (" me tente", 2.5), (" wide fit", 2.0),
    (" sold out", 2.5), (" coming back", 1.5), (" delivery time to", 2.5), (" delivered to", 0.5),
    (" grab one", 3.0), (" want to grab", 3.0), (" present for", 2.0), (" gift box", 2.0),
    (" gift set", 1.5), (" instalment", 2.5), (" pay in", 1.5), (" worth the", 2.0),
    (" to get this", 2.0), (" deciding", 2.0), (" treat myself", 3.0), (" bundle", 2.0),
    (" je voudrais commander", 3.0), (" voudrais", 1.5), (" i d like to order", 3.0),
    (" plug version", 2.0), (" uk plug", 1.5), (" happy to order", 3.0), (" livrer en", 2.0),
    (" sort quand", 2.5), (" come out", 1.5), (" release", 1.0), (" dropping", 1.5),
    (" still sold", 2.5), (" vendez encore", 2.5), (" vendez", 1.5), (" a vendre", 2.0),
    (" for sale", 2.0), (" can i buy", 2.5), (" comment on commande", 3.0), (" how do i order", 3.0),
    (" link ", 1.5), (" basket", 2.0), (" add to cart", 2.5), (" cart ", 1.5),
    (" vous avez encore", 2.5), (" still got", 2.0), (" still available", 2.5), (" encore dispo", 2.5),
    (" revend", 2.5), (" reseller", 2.5), (" stockist", 2.5), (" stock your", 2.5),
    (" trade account", 2.5), (" a l unite", 2.0), (" sold separately", 2.0),
    (" vous me conseillez", 2.5), (" which should i get", 3.0), (" should i get", 2.5),
    (" lequel choisir", 2.0), (" payer en", 2.0), (" en plusieurs fois", 2.5), (" klarna", 2.5),
    (" signing up", 2.0), (" saving up", 2.5), (" j economise", 2.0), (" mes sous", 2.0),
    (" getting one", 2.5), (" get one", 2.0), (" en prendre", 2.0), (" l ajoute", 2.0),
];

#[rustfmt::skip]
pub const QUESTION: Cues = &[
    (" how do i", 2.0), (" how to", 1.5), (" how can", 1.5), (" how long", 1.0), (" can i ", 1.0),
    (" is it ", 1.0), (" does it", 1.5), (" do you", 1.0), (" what is", 1.5), (" what s", 1.0),
    (" which", 1.0), (" when ", 1.0), (" why ", 1.0), (" wondering", 2.0), (" anyone know", 2.0),
    (" compatible", 2.0), (" instructions", 2.0), (" care for", 2.0), (" wash", 2.0),
    (" clean ", 1.5), (" opening hours", 2.5), (" open on", 2.0), (" difference between", 2.5),
    (" recommend for", 1.0), (" is this", 1.0), (" are they", 1.0), (" tips", 1.5),
    (" comment ", 1.5), (" est ce que", 1.5), (" est ce qu", 1.5), (" est il", 1.0),
    (" peut on", 1.5), (" on peut", 1.0), (" quelle", 1.0), (" quel ", 1.0), (" quand ", 1.0),
    (" pourquoi", 1.0), (" savoir si", 2.0), (" entretien", 2.0), (" laver", 2.0), (" lavage", 2.0),
    (" nettoyer", 2.0), (" horaires", 2.5), (" ouvert", 2.0), (" notice", 2.0),
    (" mode d emploi", 2.5), (" difference entre", 2.5), (" conseil", 1.5), (" astuce", 1.5),
    (" ampoule", 0.5),
    (" se lave", 2.0), (" machine", 1.0), (" made in", 1.5), (" where are your products made", 2.5),
    (" d origine", 1.5), (" testes sur", 2.0), (" tested on", 2.0), (" vegan", 1.0), (" cire", 1.0),
    (" adaptateur", 2.0), (" adapter", 2.0), (" 220v", 2.0), (" work with", 1.5), (" use the", 1.0),
    (" how often", 2.0), (" decaf", 1.5), (" policy", 1.0), (" politique", 1.0), (" just checking", 1.5),
    (" c est juste pour savoir", 2.0), (" general question", 2.5), (" ca veut dire", 2.0),
    (" je me demandais", 2.0), (" faut il", 1.5),
    (" ca veut dire quoi", 2.5), (" what does", 1.5), (" a quoi sert", 2.5), (" how does", 1.5),
    (" is it safe", 2.0), (" safe to", 1.5), (" safe for", 1.5), (" safe around", 2.0),
    (" recyclable", 2.0), (" recycle", 1.5), (" remplacable", 2.0), (" replaceable", 2.0),
    (" reset", 1.5), (" reinitialiser", 2.0), (" pair ", 1.5), (" appairer", 2.0),
    (" dishwasher", 2.0), (" lave vaisselle", 2.0), (" dryer", 1.5), (" seche linge", 1.5),
    (" temperature", 1.5), (" how long does", 1.5), (" combien de temps", 1.5), (" suitable", 2.0),
    (" convient", 2.0), (" adapte", 1.5), (" manual", 1.5), (" pdf", 1.5), (" joignable", 2.0),
    (" curious", 1.5), (" curieu", 1.5), (" pour savoir", 2.0), (" does the", 1.0), (" do the", 1.0),
    (" can the", 1.5), (" can you use", 2.0), (" on peut ", 1.0), (" se prepare", 2.0),
];

#[rustfmt::skip]
pub const PRAISE: Cues = &[
    (" love", 2.5), (" amazing", 2.5), (" awesome", 2.5), (" great", 2.0), (" perfect", 2.5),
    (" beautiful", 2.5), (" gorgeous", 2.5), (" stunning", 2.5), (" thank you", 2.0),
    (" thanks", 1.5), (" recommend", 2.0), (" excellent", 2.5), (" fantastic", 2.5),
    (" wonderful", 2.5), (" best ", 1.5), (" happy with", 2.5), (" delighted", 3.0),
    (" superb", 2.5), (" brilliant", 2.5), (" lovely", 2.5), (" fast delivery", 2.0),
    (" quick delivery", 2.0), (" arrived quickly", 2.0), (" well packaged", 2.0),
    (" five stars", 3.0), (" 5 stars", 3.0), (" obsessed", 2.5), (" exceeded", 2.5),
    (" impressed", 2.5), (" good quality", 2.0), (" high quality", 2.0), (" nice ", 1.5),
    (" merci", 1.5), (" super", 2.0), (" parfait", 2.5), (" magnifique", 2.5), (" sublime", 2.5),
    (" top ", 2.0), (" au top", 2.5), (" genial", 2.5), (" adore", 2.5), (" ravi", 2.5),
    (" conforme", 1.0), (" je recommande", 3.0), (" recommande", 2.0), (" tres bien", 2.0),
    (" tres belle", 2.5), (" tres beau", 2.5), (" belle qualite", 2.5), (" livraison rapide", 2.0),
    (" bravo", 2.5), (" nickel", 2.5), (" impeccable", 2.5), (" satisfait", 2.0),
    (" satisfaite", 2.0), (" coup de coeur", 3.0), (" canon", 2.0), (" trop beau", 2.5),
    (" trop belle", 2.5), (" contente", 2.0), (" content ", 2.0), (" qualite au rendez vous", 3.0),
    (" rapide", 1.0), (" soigne", 2.0), (" fidele", 1.5), (" bijou", 1.5), (" merveille", 2.5),
    (" belle", 1.5), (" belles", 1.5), (" amoureuse", 2.5), (" amoureux", 2.5), (" chapeau", 2.5),
    (" unreal", 2.0), (" incredible", 2.5), (" never miss", 2.5), (" going strong", 2.5),
    (" comme neuf", 2.5), (" like new", 2.0), (" brand new", 1.5), (" continuez", 2.5),
    (" keep it up", 2.5), (" shout out", 2.5), (" fastest", 2.0), (" en vrai", 1.0),
    (" plussoie", 2.0), (" converted", 1.5), (" cheers", 1.5), (" shop again", 2.5),
    (" buy again", 2.5), (" fragrant", 1.5), (" smooth", 1.0), (" problem solved", 2.5),
    (" probleme regle", 2.5), (" reactivite", 2.0), (" regle en", 1.5),
    // A complaint word, negated or resolved: each phrase covers the incident cue inside it.
    (" no problem", 2.0), (" no issue", 2.0), (" zero issue", 2.5), (" zero problem", 2.5),
    (" no complaint", 2.5), (" zero complaint", 2.5), (" nothing to complain", 2.5),
    (" never had a problem", 3.0), (" never had an issue", 3.0), (" never had a single", 3.0),
    (" not disappointed", 2.5), (" never disappointed", 3.0), (" never been disappointed", 3.0),
    (" not one late", 2.5), (" no regret", 2.5), (" zero regret", 2.5), (" without any fuss", 2.5),
    (" problem solved", 2.5), (" issue solved", 2.5), (" issue resolved", 2.5), (" sorted it", 2.0),
    (" sorted my", 2.0), (" sorted out", 1.5), (" fixed it", 2.0), (" did the trick", 2.5),
    (" all working", 2.0), (" working now", 2.0), (" works perfectly", 2.5), (" aucun probleme", 2.5),
    (" aucun souci", 2.5), (" pas de souci", 2.0), (" pas un seul souci", 3.0), (" sans souci", 2.0),
    (" sans probleme", 2.0), (" pas decu", 2.5), (" pas decue", 2.5), (" jamais decu", 3.0),
    (" jamais decue", 3.0), (" rien a redire", 3.0), (" rien a reprocher", 3.0), (" rien a dire", 2.5),
    (" probleme resolu", 2.5), (" souci regle", 2.5), (" tout est rentre dans l ordre", 2.5),
    (" ca marche ", 1.5), (" increvable", 2.5), (" pas un retard", 2.5),
    (" fan ", 2.0), (" fan de", 2.5), (" bluff", 2.5), (" worth every penny", 3.0),
    (" worth the wait", 3.0), (" worth it", 2.0), (" lifesaver", 2.5), (" legend", 2.5),
    (" respect", 2.0), (" kudos", 2.5), (" credit where", 2.5), (" nice one", 2.0),
    (" well done", 2.5), (" good job", 2.5), (" top notch", 2.5), (" game changer", 2.5),
    (" changed my", 2.0), (" a change ma", 2.0), (" still going", 2.0), (" still my favourite", 3.0),
    (" favourite", 2.0), (" favorite", 2.0), (" s ameliore", 1.5), (" easy return", 2.5),
    (" refunded in full", 2.5), (" refund within", 2.0), (" sans discuter", 2.5), (" handled", 1.5),
    (" fixed every", 2.5), (" reply within", 2.0), (" within an hour", 2.0), (" en une heure", 2.0),
    (" merci pour la reponse", 2.5), (" bien aide", 2.5), (" helped", 1.5), (" thrilled", 3.0),
    (" doux", 1.5), (" douce", 1.5), (" soft", 1.5), (" comfy", 2.0), (" comfortable", 2.0),
    (" confortable", 2.0), (" cosy", 1.5), (" cozy", 1.5), (" so pretty", 2.5), (" pretty", 1.5),
    (" joli", 1.5), (" mignon", 1.5), (" cute", 1.5), (" elegant", 2.0), (" exactly as described", 2.5),
    (" as described", 2.0), (" comme decrit", 2.0), (" sturdy", 2.0), (" robuste", 2.0),
    (" ne gratte pas", 2.5), (" doesn t itch", 2.5), (" aucun regret", 2.5), (" pas de regret", 2.5),
    (" sans regret", 2.0), (" my fault", 1.5), (" ma faute", 1.5),
];

#[rustfmt::skip]
pub const SPAM: Cues = &[
    (" crypto", 3.0), (" bitcoin", 3.0), (" btc", 2.5), (" casino", 3.0), (" bet ", 2.0),
    (" betting", 3.0), (" forex", 3.0), (" invest", 1.5), (" earn ", 2.0), (" per day", 2.0),
    (" per week", 2.0), (" a day from home", 3.0), (" make money", 3.0), (" dm me", 2.5),
    (" check my profile", 3.0), (" check out my", 2.5), (" visit my", 2.5), (" follow me", 2.5),
    (" follow back", 3.0), (" follow for follow", 3.0), (" f4f", 3.0), (" viagra", 3.0),
    (" loan", 2.0), (" giveaway", 2.0), (" free iphone", 3.0), (" click here", 3.0),
    (" click the link", 3.0), (" seo", 2.5), (" backlink", 3.0), (" onlyfans", 3.0),
    (" telegram", 2.5), (" whatsapp", 2.0), (" link in bio", 3.0), (" guaranteed", 1.5),
    (" hot singles", 3.0), (" dating", 2.0), (" cheap ", 1.0), (" replica", 2.5),
    (" promo at", 2.0), (" gagner", 1.5), (" argent facile", 3.0), (" par jour", 2.0),
    (" depuis chez", 2.0), (" gratuit", 1.0), (" abonne toi", 3.0), (" abonnez vous", 2.0),
    (" suivez moi", 2.5), (" clique", 2.0), (" cliquez", 2.0), (" lien en bio", 3.0),
    (" rencontre", 1.5), (" 100% ", 1.0), (" followers", 1.5), (" likes", 1.0), (" winner", 2.0),
    (" gagnant", 2.0), (" congratulations you", 3.0), (" felicitations vous", 3.0), (" $", 0.5),
    (" usdt", 3.0),
    (" sub4sub", 3.0), (" sub back", 3.0), (" voucher", 2.0), (" claim ", 2.0), (" chosen", 1.5),
    (" vends", 2.5), (" streaming", 1.5), (" a vie", 1.5), (" essay", 2.5), (" writing service", 3.0),
    (" pas cher", 2.0), (" coordonnees bancaires", 3.0), (" payment details", 2.5),
    (" voyance", 3.0), (" pilules", 3.0), (" minceur", 2.5), (" weight loss", 2.5),
    (" kindly", 2.0), (" barrister", 3.0), (" usd", 1.5), (" voir mon profil", 3.0),
    (" collaboration", 1.5), (" abonnes", 1.5), (" des likes", 2.5), (" rachat de credit", 3.0),
    (" devis gratuit", 2.5), (" notre site", 1.5), (" our site", 1.5), (" visit our", 2.5),
    (" affordable", 1.5), (" dm for", 2.0), (" sans ordonnance", 3.0), (" followers en", 3.0),
    (" update your payment", 3.0), (" confirm your", 2.0), (" confirmez vos", 2.5),
    (" we recover", 3.0), (" notre agence", 2.0), (" commission", 1.5), (" hacker", 3.0),
    (" reply yes", 3.0), (" visit my website", 3.0), (" my website", 1.5), (" contactez le", 2.0),
    (" contact him", 2.5), (" trading", 2.5), (" web designer", 2.0), (" your site looks", 2.5),
    (" sugar daddy", 3.0), (" pay your bills", 2.5), (" no prescription", 3.0), (" pharmacy", 2.0),
    (" robux", 3.0), (" generator", 1.5), (" buy google", 3.0), (" stars guaranteed", 3.0),
    (" text me", 2.5), (" ecris moi", 2.0), (" ecrivez nous", 2.0), (" gummies", 2.0),
    (" derniere chance", 2.0), (" vous avez gagne", 3.0), (" colis gratuit", 2.5), (" dettes", 2.0),
    (" debts", 2.0), (" backlinks", 3.0), (" ranking", 1.5), (" plumbing", 1.5), (" films", 1.0),
    (" free at", 2.0), (" download", 1.0), (" kg en", 2.0), (" garanti", 1.5),
];

/// Chatter: short replies, jokes, tags, greetings, off-topic talk. What has no other label
/// is `other` anyway; these make it win over a lone "?" or a weak cue.
#[rustfmt::skip]
pub const OTHER: Cues = &[
    (" first ", 1.5), (" first comment", 3.0), (" premier commentaire", 3.0), (" premier ", 1.0),
    (" lol ", 1.5), (" lmao", 2.0), (" haha", 1.5), (" mdr", 2.0), (" ptdr", 2.0), (" xd ", 1.5),
    (" off topic", 3.0), (" hors sujet", 3.0), (" rien a voir", 1.5), (" nothing to do with", 1.5),
    (" same here ", 1.5), (" me too ", 1.0), (" moi aussi ", 1.0), (" pareil ", 1.0), (" idem ", 1.0),
    (" who else", 1.5), (" anyone else watching", 2.5), (" qui regarde", 2.5), (" qui est de", 2.0),
    (" happy friday", 3.0), (" happy new year", 3.0), (" bonne annee", 3.0), (" bon week end", 2.5),
    (" happy birthday", 2.5), (" joyeux anniversaire", 2.5), (" the weather", 1.5), (" il pleut", 2.0),
    (" il fait trop chaud", 2.0), (" the match", 1.5), (" le match", 1.5), (" football", 1.5),
    (" the algorithm", 2.0), (" l algorithme", 2.0), (" comment section", 2.5), (" les commentaires", 1.5),
    (" tag ", 1.0), (" reminds me", 2.0), (" me rappelle", 2.0), (" grandmother", 1.5),
    (" grand mere", 1.5), (" grandad", 1.5), (" new member", 2.5), (" nouveau sur le forum", 2.5),
    (" lurker", 2.0), (" je me presente", 2.5), (" test comment", 3.0), (" please ignore", 3.0),
    (" just saying", 1.5), (" cat ", 1.0), (" chat ", 1.0), (" dog ", 1.0), (" chien ", 1.0),
    (" song", 2.0), (" musique", 1.5), (" part 2", 2.0), (" time flies", 2.5), (" hot take", 2.5),
    (" the author", 1.5), (" l auteur", 1.5), (" weather", 1.5), (" canicule", 2.0), (" meteo", 2.0),
    (" metro", 1.5), (" my bus", 2.0), (" student", 1.5), (" etudiant", 1.5), (" questionnaire", 2.0),
    (" interview", 2.0), (" memoire", 2.0), (" journalis", 1.5), (" ok merci", 1.5), (" noted", 1.5),
    (" bien note", 1.5), (" thread", 1.0), (" the video", 0.5), (" la video", 0.5),
];

/// Every cue of every list found in `folded`, as (label, cue, weight), except a cue found
/// only inside a longer cue that was found too ("est ce qu" in "est ce que", "problème" in
/// "aucun problème"): the longer one says what the words mean.
pub fn found(folded: &str) -> Vec<Cue> {
    // Every cue starts a word: look only where words start, and only at the cues whose
    // first letters are there (about 900 cues, a few tried at each word).
    let mut hits: Vec<(Label, &'static str, f32, usize)> = Vec::new();
    for (at, _) in folded.match_indices(' ') {
        let rest = &folded[at..];
        for head in heads(rest) {
            for (label, cue, weight) in INDEX.get(head).into_iter().flatten() {
                if rest.starts_with(cue) {
                    hits.push((*label, cue, *weight, at));
                }
            }
        }
    }
    let covered = |(_, cue, _, at): &(Label, &str, f32, usize)| {
        hits.iter().any(|(_, longer, _, start)| {
            longer.len() > cue.len() && *start <= *at && at + cue.len() <= start + longer.len()
        })
    };
    let mut out: Vec<Cue> = Vec::new();
    for hit in hits.iter().filter(|hit| !covered(hit)) {
        if !out.iter().any(|(l, c, _)| *l == hit.0 && *c == hit.1) {
            out.push((hit.0, hit.1, hit.2));
        }
    }
    out
}

/// The cues by their first letters after the leading space (up to [`HEAD`] of them).
static INDEX: LazyLock<HashMap<&'static str, Vec<Cue>>> = LazyLock::new(|| {
    let lists: [(Label, Cues); 6] = [
        (Label::Incident, INCIDENT),
        (Label::PurchaseIntent, PURCHASE_INTENT),
        (Label::Question, QUESTION),
        (Label::Praise, PRAISE),
        (Label::Spam, SPAM),
        (Label::Other, OTHER),
    ];
    let mut index: HashMap<&'static str, Vec<Cue>> = HashMap::new();
    for (label, cues) in lists {
        for (cue, weight) in cues.iter().filter(|(_, weight)| *weight > 0.0) {
            if let Some(head) = heads(cue).last() {
                index.entry(head).or_default().push((label, cue, *weight));
            }
        }
    }
    index
});

const HEAD: usize = 3;

/// The first one, two and three characters after the leading space of `s`.
fn heads(s: &str) -> impl Iterator<Item = &str> {
    let after = s.get(1..).unwrap_or("");
    after
        .char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(after.len()))
        .take(HEAD)
        .filter(|end| *end > 0)
        .map(move |end| &after[..end])
        .take_while(|head| !head.contains(' ') || head.len() == 1)
}

/// The praise word a message opens with when a comma, "!", "." or "…" follows it ("Super,
/// …", "Perfect! …", "Oh brilliant, …"), folded: if the rest complains, it was irony.
pub fn opener(text: &str) -> Option<String> {
    const INTERJECTIONS: [&str; 6] = ["oh", "ah", "wow", "well", "bon", "alors"];
    const PRAISE_WORDS: [&str; 22] = [
        "super",
        "genial",
        "magnifique",
        "parfait",
        "top",
        "bravo",
        "chapeau",
        "merci",
        "excellent",
        "formidable",
        "perfect",
        "great",
        "fantastic",
        "brilliant",
        "lovely",
        "wonderful",
        "amazing",
        "awesome",
        "cheers",
        "thanks",
        "nice",
        "cool",
    ];
    let mut rest = text.trim_start();
    loop {
        if rest.starts_with('@') {
            rest = rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, r)| r)
                .trim_start();
            continue;
        }
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let word = super::text::fold(&rest[..end]).trim().to_string();
        let after = rest[end..].trim_start();
        if INTERJECTIONS.contains(&word.as_str()) && !word.is_empty() {
            rest = after.trim_start_matches([',', '!']).trim_start();
            continue;
        }
        let punctuated = after.starts_with([',', '!', '.', '…', ':']);
        return (punctuated && PRAISE_WORDS.contains(&word.as_str())).then_some(word);
    }
}

/// A wait people complain of, in folded text: "3 semaines", "two weeks", "12 days" (five
/// days or more; weeks from two; any months). Years are how long a thing lasted: praise.
pub fn long_wait(folded: &str) -> Option<String> {
    const SMALL: [(&str, u32); 22] = [
        ("a", 1),
        ("un", 1),
        ("une", 1),
        ("two", 2),
        ("deux", 2),
        ("three", 3),
        ("trois", 3),
        ("four", 4),
        ("quatre", 4),
        ("five", 5),
        ("cinq", 5),
        ("six", 6),
        ("seven", 7),
        ("sept", 7),
        ("eight", 8),
        ("huit", 8),
        ("ten", 10),
        ("dix", 10),
        ("twelve", 12),
        ("douze", 12),
        ("several", 3),
        ("plusieurs", 3),
    ];
    let words: Vec<&str> = folded.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let n = pair[0]
            .parse::<u32>()
            .ok()
            .or_else(|| SMALL.iter().find(|(w, _)| *w == pair[0]).map(|(_, n)| *n))?;
        let long = match pair[1] {
            "days" | "jours" | "j" => n >= 5,
            "weeks" | "semaines" => n >= 2,
            "month" | "months" | "mois" => n >= 1,
            _ => false,
        };
        long.then(|| format!("{} {}", pair[0], pair[1]))
    })
}

/// A short phrase in quotes, as people quote a promise they do not believe: 'next day',
/// « premium », "express". An apostrophe inside a word (it's, l'article) opens nothing.
pub fn scare_quotes(text: &str) -> bool {
    const OPEN: [char; 5] = ['\'', '"', '‘', '“', '«'];
    const CLOSE: [char; 5] = ['\'', '"', '’', '”', '»'];
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).any(|i| {
        let opens = OPEN.contains(&chars[i]) && (i == 0 || !chars[i - 1].is_alphanumeric());
        opens
            && (i + 2..chars.len().min(i + 40)).any(|j| {
                let closes = CLOSE.contains(&chars[j])
                    && chars.get(j + 1).is_none_or(|c| !c.is_alphanumeric());
                let inside: String = chars[i + 1..j].iter().collect();
                let words = inside.split_whitespace().count();
                closes && (1..=4).contains(&words) && inside.chars().any(char::is_alphabetic)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::text::fold;

    #[test]
    fn a_negated_complaint_should_count_as_praise_only() {
        let found = found(&fold("Aucun problème avec ma commande"));
        assert!(found
            .iter()
            .any(|(l, c, _)| *l == Label::Praise && c.contains("aucun probleme")));
        assert!(
            !found.iter().any(|(l, _, _)| *l == Label::Incident),
            "{found:?}"
        );
        let found = found_in("Problème pas réglé, aucun problème de votre côté apparemment");
        assert!(
            found.iter().any(|(l, _, _)| *l == Label::Incident),
            "{found:?}"
        );
    }

    fn found_in(text: &str) -> Vec<Cue> {
        found(&fold(text))
    }

    #[test]
    fn a_praise_word_opening_a_message_should_be_noticed() {
        assert_eq!(
            opener("Super, la couette est arrivée trempée").as_deref(),
            Some("super")
        );
        assert_eq!(
            opener("@brand Génial… encore en retard").as_deref(),
            Some("genial")
        );
        assert_eq!(
            opener("Oh brilliant, the bag leaks").as_deref(),
            Some("brilliant")
        );
        assert_eq!(opener("Super produit, merci"), None);
        assert_eq!(opener("Where is my order?"), None);
    }

    #[test]
    fn a_long_wait_should_be_noticed_and_a_short_one_not() {
        assert_eq!(
            long_wait(&fold("ça fait 3 semaines")).as_deref(),
            Some("3 semaines")
        );
        assert_eq!(long_wait(&fold("took 12 days")).as_deref(), Some("12 days"));
        assert_eq!(
            long_wait(&fold("two weeks now")).as_deref(),
            Some("two weeks")
        );
        assert_eq!(long_wait(&fold("arrived in 2 days")), None);
        assert_eq!(long_wait(&fold("had mine for 4 years")), None);
    }

    #[test]
    fn quoted_promises_should_be_scare_quotes_and_apostrophes_not() {
        assert!(scare_quotes("my 'next day' delivery"));
        assert!(scare_quotes("le « service premium » ne répond pas"));
        assert!(scare_quotes("the \"express\" option"));
        assert!(!scare_quotes("it's fine, l'article est top, don't worry"));
        assert!(!scare_quotes("I'm sure it'll arrive"));
    }
}
