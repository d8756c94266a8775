// The catalog search: what a shopper types is matched against name, SKU and category, ignoring
// case and accents ("creme" finds "Crème fraîche"); groups keep the catalog's order.
import { catalog, categories, type Product } from '../cart/catalog.ts';

export interface CatalogGroup {
  category: string;
  products: readonly Product[];
}

const fold = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

// Folded once, at the first search (not as the page loads): the filter runs on every keystroke.
let folded: { category: string; entries: { product: Product; text: string }[] }[] | undefined;
const shelves = () =>
  (folded ??= categories.map((category) => ({
    category,
    entries: catalog
      .filter((product) => product.category === category)
      .map((product) => ({ product, text: fold(`${product.name} ${product.sku} ${category}`) })),
  })));

/** Every word of the query must occur somewhere in the product's name, SKU or category. */
export function filterCatalog(query: string): CatalogGroup[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return shelves()
    .map(({ category, entries }) => ({
      category,
      products: entries.filter(({ text }) => words.every((word) => text.includes(word))).map(({ product }) => product),
    }))
    .filter((group) => group.products.length > 0);
}
