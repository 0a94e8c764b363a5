import DOMPurify from 'isomorphic-dompurify';
import { sql } from '../../../lib/db';

async function getProduct(id: string) {
  const [product] = await sql`select name, description_html, reviews_html from products where id = ${id}`;
  return { name: product.name, descriptionHtml: product.description_html, reviewsHtml: product.reviews_html };
}

export default async function ProductPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const product = await getProduct(id);
  const productLd = { '@context': 'https://schema.org', '@type': 'Product', name: product.name };
  return (
    <main>
      {/* finding: unsafe-html (warn) — a `</script>` in the product name ends the JSON-LD script */}
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(productLd) }} />
      {/* near miss: `<` escaped */}
      <script
        type="application/ld+json"
        dangerouslySetInnerHTML={{ __html: JSON.stringify(productLd).replace(/</g, '\\u003c') }}
      />
      {/* finding: unsafe-html — the seller's description is rendered as markup */}
      <section dangerouslySetInnerHTML={{ __html: product.descriptionHtml }} />
      {/* near miss: sanitized first */}
      <section dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(product.reviewsHtml) }} />
    </main>
  );
}
