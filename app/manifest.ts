import type { MetadataRoute } from "next";

// The web app manifest browsers ask for when the portal is added to a home screen.
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Gatehouse",
    short_name: "Gatehouse",
    description: "Your orders, API keys and usage.",
    start_url: "/dashboard",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#1d4ed8",
    icons: [{ src: "/icon.svg", sizes: "any", type: "image/svg+xml" }],
  };
}
