/* qoima-demo.c: realistic demo data for a fresh warehouse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "qoima-demo"

#include "config.h"

#include "qoima-demo.h"

#include "qoima-store-settings.h"
#include "qoima-store-copay.h"
#include "qoima-store-users.h"

#include <string.h>

/* Packs per receive_packs call: big enough to be fast, small enough that the rows of a
 * million-pack demo are never all in memory at once. */
#define CHUNK_PACKS 20000

typedef struct
{
  const char *gtin;
  const char *name_ru;
  const char *name_kk;
  const char *inn;
  const char *form;
  const char *dosage;
  const char *manufacturer;
  int units_per_pack;
} DemoProduct;

/*
 * Medicines sold in Kazakhstan, by Kazakh makers (GS1 Kazakhstan prefix 487) and by
 * importers (383 Slovenia, 599 Hungary, 400 Germany, 300 France, 541 Belgium, 460 Russia,
 * 890 India). The GTINs are invented but carry valid check digits. Several packs hold one
 * unit (vials, infusion bottles, a syringe-tube, a single capsule): such a pack is used
 * up, and withdrawn, as soon as it is used. The INN (МНН) is written as the Kazakh
 * register writes it, in Russian.
 */
static const DemoProduct demo_products[] = {
  { "04870101000010", "Парацетамол, таблетки", "Парацетамол, таблеткалар",
    "Парацетамол", "таблетки", "500 мг",
    "Химфарм (Santo)", 20 },
  { "04870101000027", "Ибупрофен, таблетки", "Ибупрофен, таблеткалар",
    "Ибупрофен", "таблетки, покрытые оболочкой", "200 мг",
    "Химфарм (Santo)", 50 },
  { "04870101000034", "Дротаверин, таблетки", "Дротаверин, таблеткалар",
    "Дротаверин", "таблетки", "40 мг",
    "Химфарм (Santo)", 20 },
  { "04870101000041", "Ципрофлоксацин, таблетки", "Ципрофлоксацин, таблеткалар",
    "Ципрофлоксацин", "таблетки, покрытые оболочкой", "500 мг",
    "Химфарм (Santo)", 10 },
  { "04870101000058", "Кларитромицин, таблетки", "Кларитромицин, таблеткалар",
    "Кларитромицин", "таблетки, покрытые пленочной оболочкой", "500 мг",
    "Химфарм (Santo)", 14 },
  { "04870101000065", "Цефазолин, флакон", "Цефазолин, құтыша",
    "Цефазолин", "порошок для приготовления раствора для инъекций во флаконе", "1 г",
    "Химфарм (Santo)", 1 },
  { "04870101000072", "Аскорбиновая кислота, ампулы", "Аскорбин қышқылы, ампулалар",
    "Аскорбиновая кислота", "раствор для инъекций в ампулах", "50 мг/мл, 2 мл",
    "Химфарм (Santo)", 10 },
  { "04870202000018", "Амлодипин Нобел, таблетки", "Амлодипин Нобел, таблеткалар",
    "Амлодипин", "таблетки", "10 мг",
    "Нобел Алматинская фармацевтическая фабрика", 30 },
  { "04870202000025", "Эналаприл Нобел, таблетки", "Эналаприл Нобел, таблеткалар",
    "Эналаприл", "таблетки", "10 мг",
    "Нобел Алматинская фармацевтическая фабрика", 20 },
  { "04870202000032", "Метформин Нобел, таблетки", "Метформин Нобел, таблеткалар",
    "Метформин", "таблетки, покрытые пленочной оболочкой", "850 мг",
    "Нобел Алматинская фармацевтическая фабрика", 60 },
  { "04870202000049", "Бисопролол Нобел, таблетки", "Бисопролол Нобел, таблеткалар",
    "Бисопролол", "таблетки", "5 мг",
    "Нобел Алматинская фармацевтическая фабрика", 30 },
  { "04870303000016", "Анальгин, ампулы", "Анальгин, ампулалар",
    "Метамизол натрия", "раствор для инъекций в ампулах", "500 мг/мл, 2 мл",
    "Карагандинский фармацевтический комплекс", 10 },
  { "04870303000023", "Папаверин, ампулы", "Папаверин, ампулалар",
    "Папаверин", "раствор для инъекций в ампулах", "20 мг/мл, 2 мл",
    "Карагандинский фармацевтический комплекс", 10 },
  { "04870303000030", "Дибазол, ампулы", "Дибазол, ампулалар",
    "Бендазол", "раствор для инъекций в ампулах", "10 мг/мл, 5 мл",
    "Карагандинский фармацевтический комплекс", 10 },
  { "04870303000047", "Кофеин-бензоат натрия, ампулы", "Кофеин-натрий бензоаты, ампулалар",
    "Кофеин", "раствор для инъекций в ампулах", "200 мг/мл, 1 мл",
    "Карагандинский фармацевтический комплекс", 10 },
  { "04870404000014", "Натрия хлорид, бутылка", "Натрий хлориді, құты",
    "Натрия хлорид", "раствор для инфузий в бутылке", "0,9%, 250 мл",
    "Келун-Казфарм", 1 },
  { "04870404000021", "Глюкоза, бутылка", "Глюкоза, құты",
    "Декстроза", "раствор для инфузий в бутылке", "5%, 400 мл",
    "Келун-Казфарм", 1 },
  { "04870404000038", "Метронидазол, бутылка", "Метронидазол, құты",
    "Метронидазол", "раствор для инфузий в бутылке", "5 мг/мл, 100 мл",
    "Келун-Казфарм", 1 },
  { "04870404000045", "Рингера раствор, бутылка", "Рингер ерітіндісі, құты",
    "Натрия хлорид, калия хлорид, кальция хлорид", "раствор для инфузий в бутылке", "500 мл",
    "Келун-Казфарм", 1 },
  { "04870505000012", "Цефтриаксон, флакон", "Цефтриаксон, құтыша",
    "Цефтриаксон", "порошок для приготовления раствора для инъекций во флаконе", "1 г",
    "Абди Ибрахим Глобал Фарм", 1 },
  { "04870505000029", "Лидокаин, ампулы", "Лидокаин, ампулалар",
    "Лидокаин", "раствор для инъекций в ампулах", "20 мг/мл, 2 мл",
    "Абди Ибрахим Глобал Фарм", 10 },
  { "04870505000036", "Омепразол, капсулы", "Омепразол, капсулалар",
    "Омепразол", "капсулы", "20 мг",
    "Абди Ибрахим Глобал Фарм", 30 },
  { "03838702000014", "Энап, таблетки", "Энап, таблеткалар",
    "Эналаприл", "таблетки", "10 мг",
    "KRKA", 20 },
  { "03838702000021", "Лориста, таблетки", "Лориста, таблеткалар",
    "Лозартан", "таблетки, покрытые пленочной оболочкой", "50 мг",
    "KRKA", 30 },
  { "03838702000038", "Аторис, таблетки", "Аторис, таблеткалар",
    "Аторвастатин", "таблетки, покрытые пленочной оболочкой", "20 мг",
    "KRKA", 30 },
  { "03838702000045", "Ультоп, капсулы", "Ультоп, капсулалар",
    "Омепразол", "капсулы", "20 мг",
    "KRKA", 28 },
  { "03838702000052", "Нольпаза, таблетки", "Нольпаза, таблеткалар",
    "Пантопразол", "таблетки кишечнорастворимые", "40 мг",
    "KRKA", 28 },
  { "05998001000011", "Кавинтон, таблетки", "Кавинтон, таблеткалар",
    "Винпоцетин", "таблетки", "5 мг",
    "Gedeon Richter", 50 },
  { "05998001000028", "Мидокалм, таблетки", "Мидокалм, таблеткалар",
    "Толперизон", "таблетки, покрытые пленочной оболочкой", "150 мг",
    "Gedeon Richter", 30 },
  { "05998001000035", "Мидокалм-Рихтер, ампулы", "Мидокалм-Рихтер, ампулалар",
    "Толперизон, лидокаин", "раствор для инъекций в ампулах", "100 мг + 2,5 мг, 1 мл",
    "Gedeon Richter", 5 },
  { "05998001000042", "Верошпирон, таблетки", "Верошпирон, таблеткалар",
    "Спиронолактон", "таблетки", "25 мг",
    "Gedeon Richter", 20 },
  { "05998002000010", "Но-шпа, таблетки", "Но-шпа, таблеткалар",
    "Дротаверин", "таблетки", "40 мг",
    "Sanofi (Chinoin)", 24 },
  { "04005601000011", "Мезим форте, таблетки", "Мезим форте, таблеткалар",
    "Панкреатин", "таблетки, покрытые оболочкой", "3500 ЕД",
    "Berlin-Chemie", 20 },
  { "04005601000028", "Нимесил, пакетики", "Нимесил, пакеттер",
    "Нимесулид", "гранулы для приготовления суспензии в пакетиках", "100 мг",
    "Berlin-Chemie", 30 },
  { "04005601000035", "Эспумизан, капсулы", "Эспумизан, капсулалар",
    "Симетикон", "капсулы", "40 мг",
    "Berlin-Chemie", 25 },
  { "04005601000042", "Берлиприл, таблетки", "Берлиприл, таблеткалар",
    "Эналаприл", "таблетки", "10 мг",
    "Berlin-Chemie", 30 },
  { "03004601000015", "Клексан, шприцы", "Клексан, шприцтер",
    "Эноксапарин натрия", "раствор для инъекций в предварительно заполненных шприцах", "4000 анти-Ха МЕ/0,4 мл",
    "Sanofi", 10 },
  { "03004601000022", "Лантус СолоСтар, шприц-ручки", "Лантус СолоСтар, шприц-қаламдар",
    "Инсулин гларгин", "раствор для подкожного введения в шприц-ручках", "100 ЕД/мл, 3 мл",
    "Sanofi", 5 },
  { "03004601000039", "Плавикс, таблетки", "Плавикс, таблеткалар",
    "Клопидогрел", "таблетки, покрытые пленочной оболочкой", "75 мг",
    "Sanofi", 28 },
  { "04004601000045", "Эссенциале форте Н, капсулы", "Эссенциале форте Н, капсулалар",
    "Фосфолипиды", "капсулы", "300 мг",
    "Sanofi", 30 },
  { "05415062000014", "Солу-Медрол, флакон", "Солу-Медрол, құтыша",
    "Метилпреднизолон", "лиофилизат для приготовления раствора для инъекций во флаконе", "500 мг",
    "Pfizer", 1 },
  { "05415062000021", "Дифлюкан, капсулы", "Дифлюкан, капсулалар",
    "Флуконазол", "капсулы", "150 мг",
    "Pfizer", 1 },
  { "05415062000038", "Зитромакс, таблетки", "Зитромакс, таблеткалар",
    "Азитромицин", "таблетки, покрытые пленочной оболочкой", "500 мг",
    "Pfizer", 3 },
  { "05415062000045", "Норваск, таблетки", "Норваск, таблеткалар",
    "Амлодипин", "таблетки", "5 мг",
    "Pfizer", 30 },
  { "05415062000052", "Липримар, таблетки", "Липримар, таблеткалар",
    "Аторвастатин", "таблетки, покрытые пленочной оболочкой", "20 мг",
    "Pfizer", 30 },
  { "04601234000017", "Арбидол, капсулы", "Арбидол, капсулалар",
    "Умифеновир", "капсулы", "100 мг",
    "Фармстандарт", 20 },
  { "04601234000024", "Корвалол, капли", "Корвалол, тамшылар",
    "Фенобарбитал, этилбромизовалерианат, масла мяты перечной", "капли для приема внутрь во флаконе", "25 мл",
    "Фармстандарт", 1 },
  { "04602345000019", "Промедол, шприц-тюбик", "Промедол, шприц-түтікше",
    "Тримеперидин", "раствор для инъекций в шприц-тюбике", "20 мг/мл, 1 мл",
    "Московский эндокринный завод", 1 },
  { "04603456000011", "Кагоцел, таблетки", "Кагоцел, таблеткалар",
    "Кагоцел", "таблетки", "12 мг",
    "Ниармедик", 10 },
  { "03838703000013", "Вольтарен, ампулы", "Вольтарен, ампулалар",
    "Диклофенак", "раствор для внутримышечного введения в ампулах", "75 мг/3 мл",
    "Novartis (Lek)", 5 },
  { "04005678000013", "Аспирин Кардио, таблетки", "Аспирин Кардио, таблеткалар",
    "Ацетилсалициловая кислота", "таблетки кишечнорастворимые", "100 мг",
    "Bayer", 28 },
  { "04604567000013", "Престариум А, таблетки", "Престариум А, таблеткалар",
    "Периндоприл", "таблетки, покрытые пленочной оболочкой", "5 мг",
    "Servier", 30 },
  { "08901234000014", "Ципролет, таблетки", "Ципролет, таблеткалар",
    "Ципрофлоксацин", "таблетки, покрытые пленочной оболочкой", "500 мг",
    "Dr. Reddy's", 10 },
};

typedef struct
{
  const char *name_ru;
  const char *name_kk;
  QoimaLocationKind kind;
} DemoLocation;

static const DemoLocation demo_locations[] = {
  { "Склад аптеки", "Дәріхана қоймасы", QOIMA_LOCATION_KIND_WAREHOUSE },
  { "Терапевтическое отделение", "Терапия бөлімі", QOIMA_LOCATION_KIND_WARD },
  { "Хирургическое отделение", "Хирургия бөлімі", QOIMA_LOCATION_KIND_WARD },
  { "Отделение реанимации и интенсивной терапии", "Реанимация және қарқынды терапия бөлімі", QOIMA_LOCATION_KIND_WARD },
  { "Приемное отделение", "Қабылдау бөлімі", QOIMA_LOCATION_KIND_WARD },
  { "Детское отделение", "Балалар бөлімі", QOIMA_LOCATION_KIND_WARD },
};

/* GS1 CSET 82 without the characters that make codes hard to read aloud. */
static const char serial_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/* The rest of CSET 82, sprinkled into some serials so that every layer escapes them. */
static const char serial_punctuation[] = "!\"%&'()*+,-./:;<=>?_";

#define SERIAL_LENGTH 13
#define BATCHES_MAX 4

typedef struct
{
  char batch[16];
  char expiry[16];
} DemoBatch;

struct _QoimaDemoPacks
{
  GRand *rand;
  GHashTable *serials; /* identification codes made so far */
  GDate today;
  DemoBatch batches[G_N_ELEMENTS (demo_products)][BATCHES_MAX];
  int n_batches[G_N_ELEMENTS (demo_products)];
  char serial[SERIAL_LENGTH + 1];
};

typedef struct
{
  QoimaStore *store;
  QoimaDemoPacks *packs;
  gint64 location_ids[G_N_ELEMENTS (demo_locations)];
  unsigned next_location;
  int n_packs;
  int made;
} FillData;

static void
fill_data_free (gpointer data)
{
  FillData *fill = data;

  g_clear_object (&fill->store);
  g_clear_pointer (&fill->packs, qoima_demo_packs_free);
  g_free (fill);
}

static void
format_date (const GDate *date,
             char        *out,
             size_t       size)
{
  g_snprintf (out, size, "%04d-%02d-%02d",
              g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
}

/* Batches per product: the first expires within 60 days (the "expiring soon" cases the
 * Stock page must show), the others from three months to three years ahead. The batch
 * number carries the month of manufacture, as "B2304117" does for April 2023. */
static void
make_batches (QoimaDemoPacks *self)
{
  for (unsigned p = 0; p < G_N_ELEMENTS (demo_products); p++)
    {
      self->n_batches[p] = g_rand_int_range (self->rand, 2, BATCHES_MAX + 1);

      for (int b = 0; b < self->n_batches[p]; b++)
        {
          GDate expiry = self->today;
          GDate made;

          if (b == 0)
            g_date_add_days (&expiry, g_rand_int_range (self->rand, 31, 60));
          else
            g_date_add_days (&expiry, g_rand_int_range (self->rand, 90, 3 * 365));

          made = expiry;
          g_date_subtract_months (&made, g_rand_int_range (self->rand, 24, 37));
          g_snprintf (self->batches[p][b].batch, sizeof self->batches[p][b].batch, "B%02d%02d%03d",
                      g_date_get_year (&made) % 100, g_date_get_month (&made),
                      g_rand_int_range (self->rand, 1, 1000));
          format_date (&expiry, self->batches[p][b].expiry, sizeof self->batches[p][b].expiry);
        }
    }
}

static void
make_serial (GRand *rand,
             char   serial[SERIAL_LENGTH + 1])
{
  for (int i = 0; i < SERIAL_LENGTH; i++)
    serial[i] = serial_alphabet[g_rand_int_range (rand, 0, sizeof serial_alphabet - 1)];

  /* One pack in eight gets a punctuation mark somewhere. */
  if (g_rand_int_range (rand, 0, 8) == 0)
    serial[g_rand_int_range (rand, 0, SERIAL_LENGTH)] =
      serial_punctuation[g_rand_int_range (rand, 0, sizeof serial_punctuation - 1)];

  serial[SERIAL_LENGTH] = '\0';
}

QoimaDemoPacks *
qoima_demo_packs_new (guint32 seed)
{
  QoimaDemoPacks *self = g_new0 (QoimaDemoPacks, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->rand = g_rand_new_with_seed (seed);
  self->serials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Dates are relative to today, so the same seed gives the same data on the same day;
   * the codes are the same on any day. */
  g_date_clear (&self->today, 1);
  g_date_set_dmy (&self->today, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
  make_batches (self);
  return self;
}

void
qoima_demo_packs_next (QoimaDemoPacks *self,
                       QoimaDemoPack  *pack)
{
  unsigned p;
  const DemoProduct *product;
  const DemoBatch *batch;
  g_autofree char *ki = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (pack != NULL);

  p = g_rand_int_range (self->rand, 0, G_N_ELEMENTS (demo_products));
  product = &demo_products[p];

  /* About 5% of the packs are from the batch expiring within 60 days. */
  if (g_rand_int_range (self->rand, 0, 100) < 5)
    batch = &self->batches[p][0];
  else
    batch = &self->batches[p][g_rand_int_range (self->rand, 1, self->n_batches[p])];

  /* Most stock is in the warehouse; the wards hold some. */
  if (g_rand_int_range (self->rand, 0, 100) < 85)
    pack->location = 0;
  else
    pack->location = g_rand_int_range (self->rand, 1, G_N_ELEMENTS (demo_locations));

  /* A few packs of several units are already opened. */
  pack->units_left = -1;
  if (product->units_per_pack > 1 && g_rand_int_range (self->rand, 0, 100) < 4)
    pack->units_left = g_rand_int_range (self->rand, 1, product->units_per_pack);

  do
    {
      make_serial (self->rand, self->serial);
      g_free (ki);
      ki = g_strconcat (product->gtin, self->serial, NULL);
    }
  while (g_hash_table_contains (self->serials, ki));
  g_hash_table_add (self->serials, g_steal_pointer (&ki));

  pack->gtin = product->gtin;
  pack->serial = self->serial;
  pack->batch = batch->batch;
  pack->expiry = batch->expiry;
}

void
qoima_demo_packs_free (QoimaDemoPacks *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->serials, g_hash_table_unref);
  g_free (self);
}

static QoimaPackRows *
make_rows (FillData *fill,
           int       count)
{
  QoimaPackRows *rows = qoima_pack_rows_new ();

  for (int i = 0; i < count; i++)
    {
      QoimaDemoPack pack;
      g_autofree char *km = NULL;

      qoima_demo_packs_next (fill->packs, &pack);
      km = qoima_demo_marking_code (pack.gtin, pack.serial);
      qoima_pack_rows_add (rows, pack.gtin, pack.serial, km, pack.batch, pack.expiry,
                           fill->location_ids[pack.location], pack.units_left);
    }

  return rows;
}

static void receive_next_chunk (GTask *task);

static void
packs_received_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!qoima_store_receive_packs_finish (QOIMA_STORE (source), result, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  receive_next_chunk (g_steal_pointer (&task));
}

/* Takes @task. */
static void
receive_next_chunk (GTask *task)
{
  FillData *fill = g_task_get_task_data (task);
  QoimaPackRows *rows;
  int count;

  if (fill->made >= fill->n_packs)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  count = MIN (CHUNK_PACKS, fill->n_packs - fill->made);
  rows = make_rows (fill, count);
  fill->made += count;

  qoima_store_receive_packs_async (fill->store, rows, "demo", "demo",
                                   g_task_get_cancellable (task), packs_received_cb, task);
}

static void add_next_location (GTask *task);

static void
location_added_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FillData *fill = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  id = qoima_store_add_location_finish (QOIMA_STORE (source), result, &local_error);
  if (id == 0)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  fill->location_ids[fill->next_location++] = id;
  add_next_location (g_steal_pointer (&task));
}

/* Takes @task. */
static void
add_next_location (GTask *task)
{
  FillData *fill = g_task_get_task_data (task);
  const DemoLocation *location;

  if (fill->next_location == G_N_ELEMENTS (demo_locations))
    {
      receive_next_chunk (task);
      return;
    }

  location = &demo_locations[fill->next_location];
  qoima_store_add_location_async (fill->store, location->kind, location->name_ru, location->name_kk,
                                  g_task_get_cancellable (task), location_added_cb, task);
}

static void
products_added_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!qoima_store_add_products_finish (QOIMA_STORE (source), result, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  add_next_location (g_steal_pointer (&task));
}

GPtrArray *
qoima_demo_products (void)
{
  GPtrArray *products = g_ptr_array_new_full (G_N_ELEMENTS (demo_products), g_object_unref);

  for (unsigned i = 0; i < G_N_ELEMENTS (demo_products); i++)
    {
      const DemoProduct *p = &demo_products[i];

      g_ptr_array_add (products, qoima_product_new (p->gtin, p->name_ru, p->name_kk, p->inn, p->form,
                                                    p->dosage, p->manufacturer, p->units_per_pack));
    }

  return products;
}

void
qoima_demo_fill_async (QoimaStore          *store,
                       int                  n_packs,
                       guint32              seed,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GPtrArray) products = NULL;
  FillData *fill;
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (store));
  g_return_if_fail (n_packs >= 0);

  fill = g_new0 (FillData, 1);
  fill->store = g_object_ref (store);
  fill->packs = qoima_demo_packs_new (seed);
  fill->n_packs = n_packs;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_demo_fill_async);
  g_task_set_task_data (task, fill, fill_data_free);

  products = qoima_demo_products ();
  qoima_store_add_products_async (store, products, cancellable, products_added_cb, task);
}

gboolean
qoima_demo_fill_finish (QoimaStore    *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_demo_fill_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Demo users. The PINs are for trying Qoima out; a real warehouse starts without them. */

static const QoimaDemoUser demo_users[] = {
  { "admin", "Ерлан Сапаров", QOIMA_ROLE_ADMIN, 0, "1111", NULL },
  /* The clerk has a key of her own (clerk-sign.p12) but signs only once an administrator
   * delegates it; the chief's is sign.p12. Their IINs are their keys'. */
  { "clerk", "Гульнара Ахметова", QOIMA_ROLE_CLERK, 0, "2222", "900312450126" },
  { "chief", "Айгуль Жаксыбекова", QOIMA_ROLE_CHIEF, 0, "3333", "850715400238" },
  { "nurse", "Айгуль Касымова", QOIMA_ROLE_NURSE, 1, "4444", NULL },
  { "nurse2", "Динара Омарова", QOIMA_ROLE_NURSE, 2, "5555", NULL },
};

const QoimaDemoUser *
qoima_demo_users (unsigned *n_users)
{
  g_return_val_if_fail (n_users != NULL, NULL);

  *n_users = G_N_ELEMENTS (demo_users);
  return demo_users;
}

typedef struct
{
  GListModel *locations;
  QoimaUser *admin;
  unsigned next;
} UsersData;

static void
users_data_free (gpointer data)
{
  UsersData *users = data;

  g_clear_object (&users->locations);
  g_clear_object (&users->admin);
  g_free (users);
}

static gint64
demo_ward_id (GListModel *locations,
              int         ward)
{
  for (unsigned i = 0; i < g_list_model_get_n_items (locations); i++)
    {
      g_autoptr(QoimaLocation) location = g_list_model_get_item (locations, i);

      if (g_strcmp0 (qoima_location_get_name_ru (location), demo_locations[ward].name_ru) == 0)
        return qoima_location_get_id (location);
    }
  return 0;
}

static void add_next_user (GTask *task);

static void
user_signing_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UsersData *users = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  if (!qoima_store_set_user_signing_finish (QOIMA_STORE (source), result, &local_error))
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }
  users->next++;
  add_next_user (g_steal_pointer (&task));
}

static void
organization_set_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) local_error = NULL;

  if (!qoima_store_set_setting_finish (QOIMA_STORE (source), result, &local_error))
    g_task_return_error (task, g_steal_pointer (&local_error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
user_added_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UsersData *users = g_task_get_task_data (task);
  g_autoptr(QoimaUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  user = qoima_store_add_user_finish (QOIMA_STORE (source), result, &local_error);
  if (user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  if (users->admin == NULL)
    users->admin = g_steal_pointer (&user);
  if (demo_users[users->next].iin != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      qoima_store_set_user_signing_async (QOIMA_STORE (source), users->admin, demo_users[users->next].name,
                                          demo_users[users->next].iin, FALSE, cancellable,
                                          user_signing_cb, g_steal_pointer (&task));
      return;
    }
  users->next++;
  add_next_user (g_steal_pointer (&task));
}

/* Takes @task. */
static void
add_next_user (GTask *task)
{
  UsersData *users = g_task_get_task_data (task);
  const QoimaDemoUser *user;
  gint64 ward_id = 0;

  /* Last, the hospital's name for the heads of printed documents, as an administrator
   * would enter it. */
  if (users->next == G_N_ELEMENTS (demo_users))
    {
      qoima_store_set_setting_async (g_task_get_source_object (task), users->admin,
                                     QOIMA_SETTING_ORGANIZATION, QOIMA_DEMO_ORGANIZATION,
                                     g_task_get_cancellable (task), organization_set_cb, task);
      return;
    }

  user = &demo_users[users->next];
  if (user->ward > 0)
    {
      ward_id = demo_ward_id (users->locations, user->ward);
      if (ward_id == 0)
        {
          g_task_return_new_error (task, QOIMA_STORE_ERROR, QOIMA_STORE_ERROR_NOT_FOUND,
                                   "The demo ward %s is missing", demo_locations[user->ward].name_ru);
          g_object_unref (task);
          return;
        }
    }

  qoima_store_add_user_async (g_task_get_source_object (task), users->admin, user->name, user->full_name,
                              user->role, ward_id, user->secret,
                              g_task_get_cancellable (task), user_added_cb, task);
}

static void
users_locations_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UsersData *users = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  users->locations = qoima_store_list_locations_finish (QOIMA_STORE (source), result, &local_error);
  if (users->locations == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&local_error));
      return;
    }

  add_next_user (g_steal_pointer (&task));
}

void
qoima_demo_add_users_async (QoimaStore          *store,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (QOIMA_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_demo_add_users_async);
  g_task_set_task_data (task, g_new0 (UsersData, 1), users_data_free);
  qoima_store_list_locations_async (store, cancellable, users_locations_cb, task);
}

gboolean
qoima_demo_add_users_finish (QoimaStore    *store,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_demo_add_users_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Co-payment. */

static const struct
{
  const char *inn;
  const char *form;
  const char *dosage;
  int units;          /* per pack, as the demo products hold */
} copay_products[] = {
  { "Метформин", "таблетки, покрытые пленочной оболочкой", "850 мг", 60 },
  { "Бисопролол", "таблетки", "5 мг", 30 },
  { "Амлодипин", "таблетки", "10 мг", 30 },
};

/* Limit per pack: metformin 60 × 20,00 = 1 200,00 in the month (18,00 before it, 25,00
 * after it); bisoprolol 30 × 15,00 = 450,00; amlodipine 30 × 12,50 = 375,00. */
static const struct
{
  int day;
  const char *number;
  const char *iin;
  const char *icd10;
  guint product;
  gint64 price;       /* tiyn, for the pack */
} copay_dispensings[] = {
  { 3, "0001", "800101300706", "E11.9", 0, 145000 },  /* above the limit */
  { 5, "0002", "061211600012", "I10", 1, 45000 },     /* equal */
  { 9, "0003", "850715400238", "I10", 2, 34000 },     /* below */
  { 12, "0004", "800101300706", "E11.9", 0, 120000 }, /* equal */
  { 12, "0004", "800101300706", "E11.9", 0, 110000 }, /* below; the same prescription's second pack */
  { 20, "0005", "061211600012", "I10", 1, 52000 },    /* above */
  { 24, "0006", "850715400238", "I10", 2, 39990 },    /* above */
};

typedef struct
{
  QoimaStore *store;
  int year;
  int month;
  guint step;
  GStrv candidates[G_N_ELEMENTS (copay_products)];
  guint taken[G_N_ELEMENTS (copay_products)];
  int dispensed;
} CopayFill;

static void
copay_fill_free (gpointer data)
{
  CopayFill *fill = data;

  g_clear_object (&fill->store);
  for (guint i = 0; i < G_N_ELEMENTS (copay_products); i++)
    g_strfreev (fill->candidates[i]);
  g_free (fill);
}

static void copay_next (GTask *task);

static void
copay_step_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CopayFill *fill = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;
  guint n_products = G_N_ELEMENTS (copay_products);

  if (fill->step == 0)
    {
      if (qoima_store_copay_import_prices_finish (fill->store, result, &local_error) < 0)
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
    }
  else if (fill->step <= n_products)
    {
      GStrv kis = qoima_store_copay_matching_packs_finish (fill->store, result, &local_error);

      if (kis == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
      fill->candidates[fill->step - 1] = kis;
    }
  else
    {
      if (qoima_store_copay_dispense_finish (fill->store, result, &local_error) < 0)
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
      fill->dispensed++;
    }
  fill->step++;
  copay_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
copay_next (GTask *task)
{
  CopayFill *fill = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint n_products = G_N_ELEMENTS (copay_products);

  if (fill->step == 0)
    {
      g_autoptr(GPtrArray) prices = g_ptr_array_new_with_free_func ((GDestroyNotify) qoima_limit_price_free);
      g_autofree char *from = g_strdup_printf ("%04d-%02d-01", fill->year, fill->month);
      g_autofree char *after = fill->month == 12 ? g_strdup_printf ("%04d-01-01", fill->year + 1)
                                                 : g_strdup_printf ("%04d-%02d-01", fill->year, fill->month + 1);
      const struct { guint product; gint64 price; const char *valid_from; } rows[] = {
        { 0, 1800, "2020-01-01" }, { 0, 2000, from }, { 0, 2500, after },
        { 1, 1500, "2020-01-01" }, { 2, 1250, "2020-01-01" },
      };

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        {
          QoimaLimitPrice price = {
            (char *) copay_products[rows[i].product].inn, (char *) copay_products[rows[i].product].form,
            (char *) copay_products[rows[i].product].dosage, (char *) "таблетка", rows[i].price,
            (char *) rows[i].valid_from,
          };

          g_ptr_array_add (prices, qoima_limit_price_copy (&price));
        }
      qoima_store_copay_demo_import_prices_async (fill->store, "demo", prices, cancellable, copay_step_cb, task);
      return;
    }
  if (fill->step <= n_products)
    {
      guint p = fill->step - 1;

      qoima_store_copay_matching_packs_async (fill->store, copay_products[p].inn, copay_products[p].form,
                                              copay_products[p].dosage, cancellable, copay_step_cb, task);
      return;
    }
  if (fill->step - n_products - 1 < G_N_ELEMENTS (copay_dispensings))
    {
      guint i = fill->step - n_products - 1;
      guint p = copay_dispensings[i].product;
      guint n = fill->candidates[p] ? g_strv_length (fill->candidates[p]) : 0;
      g_autofree char *number = g_strdup_printf ("RX-%04d%02d-%s", fill->year, fill->month, copay_dispensings[i].number);
      g_autofree char *date = g_strdup_printf ("%04d-%02d-%02d", fill->year, fill->month,
                                               MAX (1, copay_dispensings[i].day - 1));
      g_autofree char *at = g_strdup_printf ("%04d-%02d-%02dT%02u:00:00Z", fill->year, fill->month,
                                             copay_dispensings[i].day, 4 + i);
      g_autofree char *receipt = g_strdup_printf ("%06u", 1024 + i * 7);
      QoimaPrescription rx = {
        number, date, (char *) copay_dispensings[i].iin, (char *) copay_dispensings[i].icd10,
        (char *) copay_products[p].inn, (char *) copay_products[p].form, (char *) copay_products[p].dosage,
        copay_products[p].units * (g_str_equal (copay_dispensings[i].number, "0004") ? 2 : 1),
      };

      /* The latest expiry first: a pack that expired before the month is no demo. */
      if (fill->taken[p] >= n)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                   "The demo warehouse has too few packs of %s for the co-payment demo",
                                   copay_products[p].inn);
          g_object_unref (task);
          return;
        }
      qoima_store_copay_demo_dispense_async (fill->store, "demo", QOIMA_DEMO_ORGANIZATION, QOIMA_DEMO_COPAY_BIN, QOIMA_DEMO_COPAY_REGION, &rx,
                                             fill->candidates[p][n - 1 - fill->taken[p]++],
                                             copay_dispensings[i].price, receipt, at, cancellable,
                                             copay_step_cb, task);
      return;
    }
  g_task_return_int (task, fill->dispensed);
  g_object_unref (task);
}

void
qoima_demo_add_copay_async (QoimaStore          *store,
                            int                  year,
                            int                  month,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  CopayFill *fill;

  g_return_if_fail (QOIMA_IS_STORE (store));
  g_return_if_fail (month >= 1 && month <= 12);

  fill = g_new0 (CopayFill, 1);
  fill->store = g_object_ref (store);
  fill->year = year;
  fill->month = month;
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, qoima_demo_add_copay_async);
  g_task_set_task_data (task, fill, copay_fill_free);
  copay_next (task);
}

int
qoima_demo_add_copay_finish (QoimaStore    *store,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == qoima_demo_add_copay_async, -1);

  return (int) g_task_propagate_int (G_TASK (result), error);
}

char *
qoima_demo_marking_code (const char *gtin,
                         const char *serial)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *crypto = NULL;

  g_return_val_if_fail (gtin != NULL, NULL);
  g_return_val_if_fail (serial != NULL, NULL);

  /* Not a real signature, only its shape: 4 characters of verification key and 44 of
   * base64 crypto tail, both fixed by the identification code. */
  g_checksum_update (checksum, (const guchar *) gtin, -1);
  g_checksum_update (checksum, (const guchar *) serial, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  crypto = g_base64_encode (digest, digest_len);
  g_assert (strlen (crypto) == 44);

  return g_strdup_printf ("01%s21%s\x1d" "91%02X%02X\x1d" "92%s",
                          gtin, serial, digest[31], digest[30], crypto);
}
