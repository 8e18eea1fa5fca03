/* placeholder until its tests land */
int main (void);
int
main (void)
{
  return 77;
}
