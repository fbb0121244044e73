import type { ReactNode } from "react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "./ui/card";

/** The honest body of a page whose feature ships in a later release, so navigation never leads to a 404. */
export function ComingLater({ children }: { children: ReactNode }) {
  return (
    <Card className="mt-8">
      <CardHeader>
        <CardTitle>Coming with a later release</CardTitle>
      </CardHeader>
      <CardContent>
        <CardDescription>{children}</CardDescription>
      </CardContent>
    </Card>
  );
}
