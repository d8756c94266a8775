// The catalog is bundled static data: the app works offline from the first load, and the only
// thing that ever reads it is AddItem, which copies name and price into the event. So a SKU may
// leave this list or change price without touching any cart's history — but a SKU must never be
// reused for another product, or old carts would suddenly seem to hold something else.

export interface Product {
  sku: string;
  name: string;
  /** Integer cents, EUR. */
  unitPrice: number;
  category: string;
}

/** What a decider needs of a catalog: tests pass a fixture instead of the bundled one. */
export type FindProduct = (sku: string) => Product | undefined;

type Shelf = readonly (readonly [sku: string, name: string, unitPrice: number])[];

// One table per category keeps the data scannable; the products are built from it below.
const shelves: Readonly<Record<string, Shelf>> = {
  Fruit: [
    ['FRU-001', 'Bananas, 1 kg', 189],
    ['FRU-002', 'Braeburn apples, 1 kg', 279],
    ['FRU-003', 'Conference pears, 1 kg', 299],
    ['FRU-004', 'Seedless green grapes, 500 g', 349],
    ['FRU-005', 'Strawberries, 400 g', 399],
    ['FRU-006', 'Blueberries, 250 g', 329],
    ['FRU-007', 'Navel oranges, 2 kg', 449],
    ['FRU-008', 'Lemons, 4 pieces', 169],
    ['FRU-009', 'Ripe avocado', 129],
  ],
  Vegetables: [
    ['VEG-001', 'Carrots, 1 kg', 119],
    ['VEG-002', 'Floury potatoes, 2.5 kg', 349],
    ['VEG-003', 'Red onions, 1 kg', 179],
    ['VEG-004', 'Cherry tomatoes, 250 g', 199],
    ['VEG-005', 'Cucumber', 79],
    ['VEG-006', 'Broccoli, 500 g', 189],
    ['VEG-007', 'Baby spinach, 200 g', 229],
    ['VEG-008', 'Red bell peppers, 3 pieces', 259],
    ['VEG-009', 'Garlic, 3 bulbs', 149],
  ],
  Dairy: [
    ['DAI-001', 'Whole milk, 1 l', 115],
    ['DAI-002', 'Natural yoghurt, 500 g', 139],
    ['DAI-003', 'Salted butter, 250 g', 279],
    ['DAI-004', 'Mature Gouda, sliced, 200 g', 299],
    ['DAI-005', 'Free-range eggs, 10 pieces', 359],
    ['DAI-006', 'Mozzarella, 125 g', 109],
    ['DAI-007', 'Crème fraîche, 200 g', 149],
    ['DAI-008', 'Oat drink, 1 l', 199],
    ['DAI-009', 'Parmigiano Reggiano, 150 g', 449],
  ],
  Bakery: [
    ['BAK-001', 'Sourdough loaf, 750 g', 389],
    ['BAK-002', 'Wholemeal sandwich bread', 229],
    ['BAK-003', 'Butter croissants, 4 pieces', 299],
    ['BAK-004', 'Baguette', 129],
    ['BAK-005', 'Rye crispbread, 250 g', 189],
    ['BAK-006', 'Cinnamon rolls, 2 pieces', 249],
    ['BAK-007', 'Wholewheat tortillas, 8 pieces', 199],
    ['BAK-008', 'Pretzel rolls, 4 pieces', 219],
  ],
  Pantry: [
    ['PAN-001', 'Spaghetti, 500 g', 129],
    ['PAN-002', 'Basmati rice, 1 kg', 329],
    ['PAN-003', 'Chopped tomatoes, 400 g tin', 89],
    ['PAN-004', 'Extra virgin olive oil, 750 ml', 899],
    ['PAN-005', 'Rolled oats, 500 g', 119],
    ['PAN-006', 'Chickpeas, 400 g tin', 99],
    ['PAN-007', 'Smooth peanut butter, 350 g', 279],
    ['PAN-008', 'Runny honey, 500 g', 549],
    ['PAN-009', 'Plain flour, 1 kg', 95],
    ['PAN-010', 'Dark chocolate 70 %, 100 g', 199],
  ],
  Drinks: [
    ['DRI-001', 'Still mineral water, 6 × 1.5 l', 299],
    ['DRI-002', 'Sparkling water, 1 l', 69],
    ['DRI-003', 'Orange juice, not from concentrate, 1 l', 289],
    ['DRI-004', 'Ground coffee, medium roast, 500 g', 699],
    ['DRI-005', 'English breakfast tea, 80 bags', 379],
    ['DRI-006', 'Cola, 6 × 330 ml', 459],
    ['DRI-007', 'Apple juice, 1 l', 179],
    ['DRI-008', 'Pilsner beer, 6 × 330 ml', 549],
    ['DRI-009', 'Rioja red wine, 750 ml', 899],
  ],
  Household: [
    ['HOU-001', 'Toilet paper, 8 rolls', 449],
    ['HOU-002', 'Kitchen roll, 2 rolls', 249],
    ['HOU-003', 'Washing-up liquid, 500 ml', 179],
    ['HOU-004', 'Dishwasher tablets, 40 pieces', 799],
    ['HOU-005', 'Laundry detergent, 1.5 l', 999],
    ['HOU-006', 'Bin bags, 20 × 60 l', 299],
    ['HOU-007', 'Sponges, 5 pieces', 149],
    ['HOU-008', 'All-purpose cleaner, 750 ml', 229],
    ['HOU-009', 'AA batteries, 4 pieces', 549],
  ],
  'Personal care': [
    ['PER-001', 'Toothpaste, 75 ml', 199],
    ['PER-002', 'Soft toothbrush', 249],
    ['PER-003', 'Shampoo, 300 ml', 349],
    ['PER-004', 'Shower gel, 250 ml', 229],
    ['PER-005', 'Hand soap refill, 500 ml', 279],
    ['PER-006', 'Deodorant roll-on, 50 ml', 269],
    ['PER-007', 'Sunscreen SPF 30, 200 ml', 899],
    ['PER-008', 'Cotton pads, 80 pieces', 129],
  ],
};

export const catalog: readonly Product[] = Object.freeze(
  Object.entries(shelves).flatMap(([category, shelf]) =>
    shelf.map(([sku, name, unitPrice]) => Object.freeze({ sku, name, unitPrice, category })),
  ),
);

export const categories: readonly string[] = Object.freeze(Object.keys(shelves));

const bySku = new Map(catalog.map((product) => [product.sku, product]));

export const findProduct: FindProduct = (sku) => bySku.get(sku);
